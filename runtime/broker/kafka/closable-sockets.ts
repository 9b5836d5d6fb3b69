/**
 * The sockets of one gokac Kafka broker's kafkajs clients, closable as a
 * whole. kafkajs (2.2.4) keeps retrying a request that was in flight when its
 * producer or consumer disconnected, and a retry connects again: the new
 * connection stays open for good, and the process never exits after a clean
 * stop (found by the chaos suite: an exactly-once instance whose abandoned
 * transaction retry outlived its producer). Every client of a broker creates
 * its sockets through `ClosableSockets.factory`, as kafkajs's default factory
 * would (TLS when configured, keep-alive); `close` destroys those still open
 * and makes every later one fail at once, so such retries end within their
 * backoffs.
 */
import net from "node:net";
import tls from "node:tls";
import type { ISocketFactory } from "kafkajs";

/** kafkajs's own keep-alive delay. */
const KEEP_ALIVE_MS = 60_000;

export class ClosableSockets {
  private readonly open = new Set<net.Socket>();
  private closed = false;

  /** kafkajs's `socketFactory` for the broker's clients. */
  readonly factory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
    if (this.closed) {
      const refused = new net.Socket();
      process.nextTick(() => refused.destroy(new Error("gokac: the Kafka broker was closed")));
      return refused;
    }
    const socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) === 0 ? { servername: host } : {}), ...(ssl as tls.ConnectionOptions) }, onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    return socket;
  };

  /** Sockets open now. */
  get size(): number {
    return this.open.size;
  }

  /** Destroys every socket still open; later connections fail at once. */
  close(): void {
    this.closed = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}
