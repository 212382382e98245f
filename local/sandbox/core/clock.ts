import type { Clock } from "./types.js";

/**
 * Real time plus an offset. Moving the clock changes the offset only, so time keeps
 * flowing after `advance`/`set` (a container that needs 2 s still needs 2 s of real time
 * unless a test moves the clock past it).
 */
export function createClock(): Clock & { reset(): void; offsetMs(): number } {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    nowSeconds: () => Math.floor((Date.now() + offset) / 1000),
    advance(ms: number) {
      offset += ms;
    },
    set(epochMs: number) {
      offset = epochMs - Date.now();
    },
    reset() {
      offset = 0;
    },
    offsetMs: () => offset,
  };
}
