/**
 * The activity log: every notable thing the local stack does (emulator calls, gateway
 * requests, poller batches, cron runs) as one JSON line in `.herald/activity.jsonl`, which
 * `npm run tail` follows. One writer per stack; the file is truncated at start.
 */
import { EventEmitter } from "node:events";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

/** One event, the same shape the emulators emit on their `activity` emitter. */
export interface ActivityEvent {
  /** ISO-8601 UTC. */
  readonly at: string;
  /** Who did it: `gateway`, `poller`, `cron`, `sqs`, `scheduler`, `events`, `secretsmanager`, `stack`. */
  readonly source: string;
  readonly type: string;
  readonly detail?: Record<string, unknown>;
}

export interface ActivityLog {
  record(source: string, type: string, detail?: Record<string, unknown>): void;
  /** Forward the `activity` events of an emulator. */
  follow(emitter: EventEmitter, fallbackSource: string): void;
  /** Live events, for in-process listeners (tests). */
  readonly events: EventEmitter;
  close(): Promise<void>;
}

export function createActivityLog(file: string | undefined): ActivityLog {
  let out: WriteStream | undefined;
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    out = createWriteStream(file, { flags: "w" });
  }
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const write = (event: ActivityEvent) => {
    events.emit("activity", event);
    out?.write(`${JSON.stringify(event)}\n`);
  };
  const followed: { emitter: EventEmitter; fn: (e: unknown) => void }[] = [];
  return {
    events,
    record: (source, type, detail) => write({ at: new Date().toISOString(), source, type, detail }),
    follow(emitter, fallbackSource) {
      const fn = (e: unknown) => {
        const ev = (e ?? {}) as Partial<ActivityEvent>;
        const at = typeof ev.at === "string" ? ev.at : new Date().toISOString();
        write({
          at,
          source: typeof ev.source === "string" ? ev.source : fallbackSource,
          type: typeof ev.type === "string" ? ev.type : "event",
          detail: ev.detail,
        });
      };
      emitter.on("activity", fn);
      followed.push({ emitter, fn });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const f of followed) f.emitter.off("activity", f.fn);
        if (!out) resolve();
        else out.end(() => resolve());
      }),
  };
}
