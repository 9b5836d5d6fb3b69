/**
 * The sockets of one gokac Kafka broker's kafkajs clients, closable as a
 * whole. kafkajs (2.2.4) keeps retrying a request that was in flight when its
 * producer or consumer disconnected, and a retry connects again: the new
 * connection stays open for good, and the process never exits after a clean
 * stop (found by the chaos suite: an exactly-once instance whose abandoned
 * transaction retry outlived its producer). Every client of a broker creates
 * its sockets through `ClosableSockets.factory`: kafkajs's own default
 * factory, its sockets tracked; `close` destroys those still open
 * and makes every later one fail at once, so such retries end within their
 * backoffs.
 */
import { createRequire } from "node:module";
import { Socket } from "node:net";
import type { ISocketFactory } from "kafkajs";

// kafkajs's own default factory (TLS when configured, keep-alive), which every socket still comes from.
const kafkajsSocketFactory = createRequire(import.meta.url)("kafkajs/src/network/socketFactory.js") as () => ISocketFactory;

export class ClosableSockets {
  private readonly open = new Set<Socket>();
  private closed = false;
  private readonly connect = kafkajsSocketFactory();

  /** kafkajs's `socketFactory` for the broker's clients. */
  readonly factory: ISocketFactory = (options) => {
    if (this.closed) {
      // Never connected: kafkajs sees it fail as soon as it listens.
      const refused = new Socket();
      process.nextTick(() => refused.destroy(new Error("gokac: the Kafka broker was closed")));
      return refused;
    }
    const socket = this.connect(options);
    this.open.add(socket);
    socket.once("close", () => this.open.delete(socket));
    return socket;
  };

  /** Destroys every socket still open; later connections fail at once. */
  close(): void {
    this.closed = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}
