/** Table storage: the interface and its two implementations. */
export type { Storage, TableChanges, TableStore } from "./storage.js";
export { createMemoryStorage } from "./memory-storage.js";
export { createLevelStorage } from "./level-storage.js";
export type { LevelStorageOptions } from "./level-storage.js";
export { withWriteBehind } from "./write-behind.js";
export type { WriteBehindOptions } from "./write-behind.js";
export { StateMismatchError } from "./state-errors.js";
export type { StateMismatchPolicy, StateMismatchReason } from "./state-errors.js";
