/** Shared by the emulator integration tests: SDK client config, activity capture, polling. */
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";

/** Real SDK v3 client settings pointed at one emulator, with dummy credentials. */
export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
}

/** Collects every activity event the emulator emits from now on. */
export function recordActivity(emulator: RunningEmulator): ActivityEvent[] {
  const seen: ActivityEvent[] = [];
  emulator.activity.on("activity", (e: ActivityEvent) => seen.push(e));
  return seen;
}

/** Retries `fn` until it resolves or the deadline passes (then rethrows its last error). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
