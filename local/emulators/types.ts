/**
 * The contract between the local AWS emulators and whoever starts them (the local stack
 * orchestrator, integration tests). Every emulator is an in-process HTTP server on loopback
 * that the unmodified AWS SDK v3 clients reach through `endpoint` / `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import type { EventEmitter } from "node:events";

/** A started emulator. */
export interface RunningEmulator {
  /** e.g. http://127.0.0.1:45123 */
  readonly url: string;
  readonly port: number;
  /** Activity for `npm run tail` and tests: emits {@link ActivityEvent} objects on "activity". */
  readonly activity: EventEmitter;
  /** Stops timers and the server; pending deliveries are abandoned. */
  close(): Promise<void>;
}

/** One notable thing an emulator did. Never carries secret values. */
export interface ActivityEvent {
  /** ISO-8601 UTC. */
  at: string;
  source: "sqs" | "scheduler" | "eventbridge" | "secretsmanager" | "kms";
  type: string;
  detail: Record<string, unknown>;
}

/** Options every emulator accepts. */
export interface EmulatorBaseOptions {
  /** 0 = ephemeral, the default. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default 000000000000. */
  accountId?: string;
}
