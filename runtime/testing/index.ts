/** `gokac/runtime/testing`: Goka-style tester on the in-memory broker. */
export { createTester } from "./tester.js";
export type { DeadLetter, EmittedMessage, GroupRef, Tester, TesterOptions } from "./tester.js";
