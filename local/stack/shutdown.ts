/**
 * How `npm start` (bin/local.ts) stops: the bound it gives itself and the guard that keeps a
 * closed output pipe from turning the stop into a busy loop.
 */

/**
 * Longest an orderly stop may take before the process exits anyway (the `exit` hook then
 * SIGKILLs the children by PID). The parts stop in well under this: java gets 3 s before its
 * SIGKILL, the pollers abort their long polls at once.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Error codes of a write to an output whose reader has gone (`npm start | head`, a closed terminal). */
const BROKEN_OUTPUT = new Set(["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END", "EIO"]);

/** True for the error a write to a closed stdout/stderr raises. */
export function isBrokenOutput(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && BROKEN_OUTPUT.has(code);
}

/**
 * Make a closed stdout/stderr harmless: without a listener, a failed write becomes an
 * uncaught exception, and an uncaught-exception handler that logs it writes to the same
 * closed pipe, which fails again — a loop that never yields to the stop in progress.
 * Returns whether output is still believed to work.
 */
export function guardOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]) {
  let broken = false;
  for (const stream of streams) {
    // Whatever the error, this output cannot be written any more; never rethrow from here.
    stream.on("error", () => {
      broken = true;
    });
  }
  return { outputWorks: () => !broken };
}
