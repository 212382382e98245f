/**
 * Plumbing shared by the emulators: option defaults, the loopback HTTP server, the activity
 * emitter, the awsJson1_1 dispatcher (Secrets Manager, EventBridge, KMS) and the SQS sender the
 * Scheduler and EventBridge use to deliver to queue targets.
 */
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  GetQueueUrlCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { ActivityEvent, EmulatorBaseOptions, RunningEmulator } from "./types.js";

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
}

export function resolveOptions(opts: EmulatorBaseOptions): ResolvedOptions {
  return {
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 0,
    region: opts.region ?? "us-east-1",
    accountId: opts.accountId ?? "000000000000",
  };
}

/** An emitter plus a typed `emit` that stamps the time and source. */
export function createActivity(source: ActivityEvent["source"]) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(100);
  return {
    emitter,
    emit(type: string, detail: Record<string, unknown>): void {
      const event: ActivityEvent = { at: new Date().toISOString(), source, type, detail };
      emitter.emit("activity", event);
    },
  };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Serves `handler` on host:port and returns the {@link RunningEmulator} shape. `onClose` runs
 * before the server stops (timers). Open keep-alive and long-poll connections are cut on close.
 */
export async function serve(
  opts: ResolvedOptions,
  activity: EventEmitter,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  onClose: () => void = () => {},
): Promise<RunningEmulator & { server: Server }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("content-type", "application/json");
      }
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${hostForUrl}:${port}`,
    port,
    activity,
    close: () =>
      new Promise<void>((resolve) => {
        onClose();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An AWS error as the awsJson / restJson protocols carry it. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A JSON object read from a request body, or an empty one. */
export type JsonBody = Record<string, unknown>;

/**
 * The awsJson1_1 protocol: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body;
 * errors are `{"__type": code, "message": …}` with the code also in `x-amzn-errortype`.
 */
export function awsJsonHandler(
  targetPrefix: string,
  operations: Record<string, (body: JsonBody) => unknown>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const raw = (await readBody(req)).toString("utf8");
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : "";
    res.setHeader("content-type", "application/x-amz-json-1.1");
    try {
      const fn = operations[op];
      if (!fn)
        throw new AwsError("UnknownOperationException", `Operation ${target || "(none)"} is not supported`);
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        throw new AwsError("SerializationException", "Request body is not valid JSON");
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new AwsError("SerializationException", "Request body must be a JSON object");
      }
      const out = fn(body as JsonBody);
      res.end(JSON.stringify(out ?? {}));
    } catch (error) {
      const e = error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500);
      res.statusCode = e.status;
      res.setHeader("x-amzn-errortype", e.code);
      res.end(JSON.stringify({ __type: e.code, message: e.message }));
    }
  };
}

/** Reads an optional string member; refuses other types. */
export function str(body: JsonBody, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new AwsError("ValidationException", `${key} must be a string`);
  return v;
}

/** The parts of an SQS queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function parseSqsArn(arn: string): { region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : undefined;
}

/** Delivery to SQS queue targets through the real SDK client, pointed at the SQS emulator. */
export function createSqsSender(sqsEndpoint: string, region: string) {
  const client = new SQSClient({
    endpoint: sqsEndpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  /** Queue name → URL, so a delivery costs one call, not two. */
  const urls = new Map<string, string>();
  return {
    /** Sends to the queue named by `queueArn`; rejects when the queue does not exist. */
    async send(
      queueArn: string,
      body: string,
      extra: { messageGroupId?: string; attributes?: Record<string, MessageAttributeValue> } = {},
    ): Promise<string | undefined> {
      const parsed = parseSqsArn(queueArn);
      if (!parsed) throw new AwsError("ValidationException", `Not an SQS queue ARN: ${queueArn}`);
      let queueUrl = urls.get(parsed.name);
      if (!queueUrl) {
        queueUrl = (await client.send(new GetQueueUrlCommand({ QueueName: parsed.name }))).QueueUrl!;
        urls.set(parsed.name, queueUrl);
      }
      try {
        const out = await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageGroupId: extra.messageGroupId,
            MessageAttributes: extra.attributes,
          }),
        );
        return out.MessageId;
      } catch (error) {
        // The queue may have gone; look it up afresh next time.
        urls.delete(parsed.name);
        throw error;
      }
    },
    close: () => client.destroy(),
  };
}

/** The error code of a failed SDK call, for dead-letter attributes and activity. */
export function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "name" in error && typeof error.name === "string")
    return error.name;
  return "Error";
}

/** Exponential backoff for the n-th retry (1-based), capped. */
export function backoffMs(baseMs: number, retry: number, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** (retry - 1));
}

/** How a delivery with retries ended. */
export type DeliveryOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; error: unknown };

/**
 * Runs `attempt(n)` until it resolves, retrying with exponential backoff (`baseMs`, doubling,
 * capped at 60 s) while fewer than `maxRetries` retries were made and the next try would still
 * be within `maxAgeMs` of `startedMs`. `onRetry` runs before each wait.
 */
export async function deliverWithRetries(
  policy: { maxRetries: number; maxAgeMs: number; startedMs: number; baseMs: number },
  attempt: (n: number) => Promise<void>,
  hooks: {
    onRetry: (n: number, error: unknown, delayMs: number) => void;
    sleep: (ms: number) => Promise<void>;
    stopped: () => boolean;
  },
): Promise<DeliveryOutcome> {
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return { ok: true, attempts: n };
    } catch (error) {
      const delay = backoffMs(policy.baseMs, n);
      const tooOld = Date.now() + delay - policy.startedMs > policy.maxAgeMs;
      if (n > policy.maxRetries || tooOld || hooks.stopped()) return { ok: false, attempts: n, error };
      hooks.onRetry(n, error, delay);
      await hooks.sleep(delay);
      if (hooks.stopped()) return { ok: false, attempts: n, error };
    }
  }
}

/** setTimeout-based sleeps that `cancelAll` clears (pending sleeps then never resolve). */
export function createSleeper() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
    cancelAll(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
