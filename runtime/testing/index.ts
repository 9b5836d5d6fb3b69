/** `gokac/runtime/testing`: Goka-style tester on the in-memory broker. */
export { createTester } from "./tester.js";
export type { DeadLetter, EmittedMessage, GroupRef, Tester, TesterOptions } from "./tester.js";
export { ClusterNotIdleError, createClusterTester } from "./cluster-tester.js";
export type { ClusterTester, ClusterTesterOptions } from "./cluster-tester.js";
