/**
 * The one "conditional write lost" error of the shared kernel: a repository throws it when the
 * item changed (or vanished) since it was read; the posts port re-exports it and the publish
 * worker recognises it when its claim loses a race.
 */
/** A conditional write lost: the item changed (or vanished) since it was read. */
export class WriteConflict extends Error {
  constructor(readonly current?: { version: number; status: string }) {
    super(current ? `stored item is at version ${current.version} (${current.status})` : "item not found");
  }
}
