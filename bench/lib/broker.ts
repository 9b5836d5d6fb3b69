/**
 * Makes sure a broker answers at the bench's address, starting the project's
 * local Kafka (`npm run kafka:start`, scripts/kafka/) when none does.
 */
import { execFileSync } from "node:child_process";
import { connect } from "node:net";

function reachable(hostPort: string, timeoutMs = 1000): Promise<boolean> {
  const [host = "127.0.0.1", port = "9092"] = hostPort.split(":");
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Returns whether this call started the broker. With a broker already
 * listening at the first address of `brokers` it does nothing; otherwise it
 * runs `npm run kafka:start` (which installs Kafka once, starts it and waits
 * until clients can use it) and throws if that fails.
 */
export async function ensureBroker(root: string, brokers: string, log: (line: string) => void): Promise<boolean> {
  const first = brokers.split(",")[0]?.trim() ?? "127.0.0.1:9092";
  if (await reachable(first)) {
    log(`broker: using the one at ${first}`);
    return false;
  }
  log(`broker: none at ${first}; npm run kafka:start`);
  execFileSync("npm", ["run", "--silent", "kafka:start"], { cwd: root, stdio: "inherit" });
  if (!(await reachable(first))) throw new Error(`broker: kafka:start finished but nothing listens at ${first}`);
  return true;
}

/** Stops the broker that `ensureBroker` started (`npm run kafka:stop`). */
export function stopBroker(root: string): void {
  execFileSync("npm", ["run", "--silent", "kafka:stop"], { cwd: root, stdio: "inherit" });
}
