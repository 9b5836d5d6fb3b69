/**
 * The group member id of a processor, kept in its state directory so a
 * restarted process (after a crash or SIGKILL) rejoins its consumer group
 * under the id of the dead one (see `rejoinAsPreviousMember`).
 *
 * The id lives in a small LevelDB (`<stateDir>/.member`) whose lock doubles
 * as the guard against two live processes sharing one state directory, and so
 * one member id: LevelDB's lock is held until the process ends, however it
 * ends. A second process finds it locked and joins under a fresh id.
 */
import { Level } from "level";
import type { MemberIdStore } from "../broker/port.js";

/** A `MemberIdStore` that must be closed when the processor stops. */
export interface ClosableMemberIdStore extends MemberIdStore {
  close(): Promise<void>;
}

/** Opens the member id store of `group` under `stateDir`; an unusable (locked, unwritable) one loads nothing and saves nothing. */
export function openMemberIdStore(stateDir: string, group: string): ClosableMemberIdStore {
  const db = new Level<string, string>(`${stateDir}/.member`, { keyEncoding: "utf8", valueEncoding: "utf8" });
  // Opened on first use: a processor that never joins never takes the lock.
  let opened: Promise<boolean> | undefined;
  const open = () =>
    (opened ??= db.open().then(
      () => true,
      () => false,
    ));
  return {
    async load() {
      return (await open()) ? await db.get(group) : undefined;
    },
    async save(memberId) {
      if (await open()) await db.put(group, memberId);
    },
    async close() {
      if (opened !== undefined && (await opened)) await db.close();
    },
  };
}
