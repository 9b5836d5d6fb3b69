/** The in-memory broker (tester, local development). */
export { createMemoryBroker } from "./memory-broker.js";
export type { MemoryBroker, MemoryBrokerOptions } from "./memory-broker.js";
export type { AckControl } from "./memory-acks.js";
