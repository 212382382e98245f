/**
 * EventBridge Scheduler emulator: a small restJson1 server that the unmodified
 * `@aws-sdk/client-scheduler` reaches through `endpoint` / `AWS_ENDPOINT_URL_SCHEDULER`.
 *
 * Operations: CreateScheduleGroup, GetScheduleGroup, DeleteScheduleGroup (its schedules go
 * with it), ListScheduleGroups, CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule,
 * ListSchedules (group / name-prefix / state filters, MaxResults + NextToken).
 *
 * Reproduced semantics:
 * - `at(yyyy-mm-ddThh:mm:ss)` in `ScheduleExpressionTimezone` (IANA, default UTC) fires once,
 *   within one tick (`tickMs`, default 250 ms) of its instant, only while ENABLED — no 60 s
 *   jitter, so tests stay quick. A time already past when the schedule is created fires on the
 *   next tick (what AWS does then is not documented). StartDate/EndDate are stored and ignored for at(), as in AWS.
 * - Target = an SQS queue ARN: SendMessage through the real SQS client at `sqsEndpoint` (ARN →
 *   URL by GetQueueUrl on the queue name), body = `Input` with the per-attempt placeholders
 *   `<aws.scheduler.scheduled-time|execution-id|attempt-number|schedule-arn>` substituted,
 *   `SqsParameters.MessageGroupId` passed on.
 * - RetryPolicy (defaults 185 attempts / 86 400 s): exponential backoff from `retryBaseMs`
 *   (default 1 000 ms, capped at 60 s), then DeadLetterConfig (body = the last payload,
 *   attributes ERROR_CODE, ERROR_MESSAGE, EXECUTION_ID, RETRY_ATTEMPTS, SCHEDULE_ARN,
 *   TARGET_ARN) or dropped.
 * - ActionAfterCompletion DELETE removes the schedule after its execution completes (delivered
 *   or given up); NONE keeps it, and it does not fire again unless its expression changes.
 * - UpdateSchedule is a full replace: omitted optional fields return to their defaults.
 * - Errors in the restJson1 shape (`x-amzn-errortype` + `{"Message": …}`): ConflictException
 *   409 (duplicate name in a group), ResourceNotFoundException 404, ValidationException 400
 *   (names 1–64 `[0-9a-zA-Z-_.]`, expressions, time zones, ranges). A replayed ClientToken
 *   on Create/Update returns the first answer and changes nothing.
 *
 * Not reproduced: `rate()` and `cron()` are validated and stored but never fired (the local
 * stack's cron runner calls scheduled functions itself); targets other than SQS fail every
 * attempt (so they retry, then dead-letter); FlexibleTimeWindow is stored, not applied; tags,
 * KMS, IAM (RoleArn is required but unused), quotas and eventual consistency. The execution id
 * is one per execution (stable across its retries).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  AwsError,
  createActivity,
  createSleeper,
  createSqsSender,
  deliverWithRetries,
  errorCode,
  parseSqsArn,
  readBody,
  resolveOptions,
  serve,
} from "./internal.js";
import { isValidTimeZone, parseScheduleExpression, zonedTimeToUtcMs } from "./schedule-expression.js";
import type { EmulatorBaseOptions, RunningEmulator } from "./types.js";

export interface SchedulerEmulatorOptions extends EmulatorBaseOptions {
  /** Where target queues live (the SQS emulator's URL). */
  sqsEndpoint: string;
  /** How often due schedules are looked for. Default 250 ms. */
  tickMs?: number;
  /** First retry delay; each further retry doubles it (cap 60 s). Default 1 000 ms. */
  retryBaseMs?: number;
}

type Json = Record<string, unknown>;

interface Group {
  readonly name: string;
  readonly arn: string;
  readonly created: number;
}

interface Schedule {
  readonly name: string;
  readonly group: string;
  readonly arn: string;
  /** The stored request fields with defaults applied (what GetSchedule returns). */
  readonly fields: Json;
  readonly created: number;
  readonly modified: number;
  /** The `expression@zone` whose at() occurrence has been executed. */
  firedFor?: string;
}

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const DEFAULT_GROUP = "default";
const DEFAULT_RETRY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };
const PAGE_MAX = 100;

const validation = (message: string) => new AwsError("ValidationException", message, 400);
const notFound = (message: string) => new AwsError("ResourceNotFoundException", message, 404);

/** Starts the Scheduler emulator on loopback (port 0 = ephemeral). */
export async function startSchedulerEmulator(opts: SchedulerEmulatorOptions): Promise<RunningEmulator> {
  const o = resolveOptions(opts);
  const tickMs = opts.tickMs ?? 250;
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  const { emitter, emit } = createActivity("scheduler");
  const sqs = createSqsSender(opts.sqsEndpoint, o.region);
  const arnPrefix = `arn:aws:scheduler:${o.region}:${o.accountId}`;

  const groups = new Map<string, Group>([
    [
      DEFAULT_GROUP,
      { name: DEFAULT_GROUP, arn: `${arnPrefix}:schedule-group/${DEFAULT_GROUP}`, created: Date.now() },
    ],
  ]);
  /** Keyed `group/name`. */
  const schedules = new Map<string, Schedule>();
  /** `op:group/name:token` → the answer already given. */
  const replies = new Map<string, Json>();
  const sleeper = createSleeper();
  let closed = false;

  const key = (group: string, name: string) => `${group}/${name}`;

  const groupNamed = (name: string): Group => {
    const g = groups.get(name);
    if (!g) throw notFound(`Schedule group ${name} does not exist.`);
    return g;
  };

  const scheduleNamed = (group: string, name: string): Schedule => {
    groupNamed(group);
    const s = schedules.get(key(group, name));
    if (!s) throw notFound(`Schedule ${name} does not exist.`);
    return s;
  };

  const removeSchedule = (s: Schedule, reason: string) => {
    if (schedules.get(key(s.group, s.name)) !== s) return;
    schedules.delete(key(s.group, s.name));
    emit("schedule-deleted", { group: s.group, name: s.name, reason });
  };

  // --- operations -------------------------------------------------------------------------

  const createGroup = (name: string, body: Json): Json => {
    if (!NAME.test(name)) throw validation(`Invalid schedule group name ${name}.`);
    const token = typeof body.ClientToken === "string" ? `group:${name}:${body.ClientToken}` : undefined;
    const replay = token ? replies.get(token) : undefined;
    if (replay) return replay;
    if (groups.has(name))
      throw new AwsError("ConflictException", `Schedule group ${name} already exists.`, 409);
    const g: Group = { name, arn: `${arnPrefix}:schedule-group/${name}`, created: Date.now() };
    groups.set(name, g);
    emit("schedule-group-created", { group: name });
    const out = { ScheduleGroupArn: g.arn };
    if (token) replies.set(token, out);
    return out;
  };

  const groupView = (g: Group): Json => ({
    Arn: g.arn,
    Name: g.name,
    State: "ACTIVE",
    CreationDate: g.created / 1000,
    LastModificationDate: g.created / 1000,
  });

  const deleteGroup = (name: string): Json => {
    if (name === DEFAULT_GROUP) throw validation("The default schedule group cannot be deleted.");
    groupNamed(name);
    for (const s of [...schedules.values()]) if (s.group === name) removeSchedule(s, "group-deleted");
    groups.delete(name);
    emit("schedule-group-deleted", { group: name });
    return {};
  };

  const putSchedule = (op: "create" | "update", name: string, body: Json): Json => {
    if (!NAME.test(name))
      throw validation(`Invalid schedule name ${name}: 1-64 characters of [0-9a-zA-Z-_.].`);
    const group = body.GroupName === undefined ? DEFAULT_GROUP : String(body.GroupName);
    if (!NAME.test(group)) throw validation(`Invalid schedule group name ${group}.`);
    const token =
      typeof body.ClientToken === "string" ? `${op}:${key(group, name)}:${body.ClientToken}` : undefined;
    const replay = token ? replies.get(token) : undefined;
    if (replay) return replay;

    groupNamed(group);
    const existing = schedules.get(key(group, name));
    if (op === "create" && existing)
      throw new AwsError("ConflictException", `Schedule ${name} already exists.`, 409);
    if (op === "update" && !existing) throw notFound(`Schedule ${name} does not exist.`);

    const fields = validateSchedule(body);
    fields.GroupName = group;
    const now = Date.now();
    const s: Schedule = {
      name,
      group,
      arn: `${arnPrefix}:schedule/${group}/${name}`,
      fields,
      created: existing?.created ?? now,
      modified: now,
    };
    // A NONE schedule that already fired stays fired unless its time changed.
    if (existing?.firedFor && existing.firedFor === occurrenceOf(fields)) s.firedFor = existing.firedFor;
    schedules.set(key(group, name), s);
    emit(op === "create" ? "schedule-created" : "schedule-updated", {
      group,
      name,
      expression: fields.ScheduleExpression,
      timezone: fields.ScheduleExpressionTimezone ?? "UTC",
      state: fields.State,
      target: (fields.Target as Json).Arn,
    });
    const out = { ScheduleArn: s.arn };
    if (token) replies.set(token, out);
    return out;
  };

  const scheduleView = (s: Schedule): Json => ({
    ...s.fields,
    Arn: s.arn,
    Name: s.name,
    CreationDate: s.created / 1000,
    LastModificationDate: s.modified / 1000,
  });

  const listSchedules = (q: URLSearchParams): Json => {
    const group = q.get("ScheduleGroup");
    const prefix = q.get("NamePrefix") ?? "";
    const state = q.get("State");
    if (group !== null) groupNamed(group);
    const all = [...schedules.values()]
      .filter((s) => (group === null || s.group === group) && s.name.startsWith(prefix))
      .filter((s) => state === null || s.fields.State === state)
      .sort((a, b) => key(a.group, a.name).localeCompare(key(b.group, b.name)));
    const { items, next } = page(all, q);
    return {
      Schedules: items.map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.group,
        State: s.fields.State,
        CreationDate: s.created / 1000,
        LastModificationDate: s.modified / 1000,
        Target: { Arn: (s.fields.Target as Json).Arn },
      })),
      ...(next ? { NextToken: next } : {}),
    };
  };

  const listGroups = (q: URLSearchParams): Json => {
    const prefix = q.get("NamePrefix") ?? "";
    const all = [...groups.values()]
      .filter((g) => g.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { items, next } = page(all, q);
    return { ScheduleGroups: items.map(groupView), ...(next ? { NextToken: next } : {}) };
  };

  // --- firing -----------------------------------------------------------------------------

  const execute = async (s: Schedule, scheduledMs: number) => {
    const target = s.fields.Target as Json;
    const retry = target.RetryPolicy as typeof DEFAULT_RETRY;
    const executionId = randomBytes(8).toString("hex");
    const scheduledTime = new Date(scheduledMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    const targetArn = String(target.Arn);
    const groupId = (target.SqsParameters as Json | undefined)?.MessageGroupId as string | undefined;
    const about = { group: s.group, name: s.name, executionId, target: targetArn };
    let payload = "";
    const outcome = await deliverWithRetries(
      {
        maxRetries: retry.MaximumRetryAttempts,
        maxAgeMs: retry.MaximumEventAgeInSeconds * 1000,
        startedMs: scheduledMs,
        baseMs: retryBaseMs,
      },
      async (attempt) => {
        payload = String(target.Input ?? "{}")
          .replaceAll("<aws.scheduler.scheduled-time>", scheduledTime)
          .replaceAll("<aws.scheduler.execution-id>", executionId)
          .replaceAll("<aws.scheduler.attempt-number>", String(attempt))
          .replaceAll("<aws.scheduler.schedule-arn>", s.arn);
        if (!parseSqsArn(targetArn))
          throw new AwsError("UnsupportedTarget", `Only SQS targets run locally: ${targetArn}`);
        const messageId = await sqs.send(targetArn, payload, groupId ? { messageGroupId: groupId } : {});
        emit("schedule-fired", { ...about, attempt, payload, messageId });
      },
      {
        onRetry: (attempt, error, delay) =>
          emit("schedule-retried", { ...about, attempt, error: errorCode(error), nextAttemptInMs: delay }),
        sleep: sleeper.sleep,
        stopped: () => closed,
      },
    );
    if (!outcome.ok && !closed)
      await deadLetter(s, target, executionId, payload, outcome.error, outcome.attempts - 1);
    if (s.fields.ActionAfterCompletion === "DELETE") removeSchedule(s, "action-after-completion");
  };

  const deadLetter = async (
    s: Schedule,
    target: Json,
    executionId: string,
    payload: string,
    error: unknown,
    retries: number,
  ) => {
    const dlqArn = (target.DeadLetterConfig as Json | undefined)?.Arn as string | undefined;
    const detail = { group: s.group, name: s.name, executionId, target: target.Arn, error: errorCode(error) };
    if (!dlqArn) {
      emit("schedule-dropped", detail);
      return;
    }
    const attr = (v: string) => ({ DataType: "String", StringValue: v });
    try {
      await sqs.send(dlqArn, payload, {
        attributes: {
          ERROR_CODE: attr(errorCode(error)),
          ERROR_MESSAGE: attr(error instanceof Error ? error.message || errorCode(error) : String(error)),
          EXECUTION_ID: attr(executionId),
          RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(retries) },
          SCHEDULE_ARN: attr(s.arn),
          TARGET_ARN: attr(String(target.Arn)),
        },
      });
      emit("schedule-dead-lettered", { ...detail, deadLetterQueue: dlqArn, payload });
    } catch (dlqError) {
      emit("schedule-dropped", { ...detail, deadLetterQueue: dlqArn, deadLetterError: errorCode(dlqError) });
    }
  };

  const tick = () => {
    const now = Date.now();
    for (const s of schedules.values()) {
      if (s.fields.State !== "ENABLED" || s.firedFor) continue;
      const parsed = parseScheduleExpression(String(s.fields.ScheduleExpression));
      if (parsed?.kind !== "at") continue;
      const dueMs = zonedTimeToUtcMs(parsed.local, String(s.fields.ScheduleExpressionTimezone ?? "UTC"));
      if (dueMs > now) continue;
      s.firedFor = occurrenceOf(s.fields);
      void execute(s, dueMs);
    }
  };
  const ticker = setInterval(tick, tickMs);

  // --- HTTP -------------------------------------------------------------------------------

  const route = (method: string, path: string[], q: URLSearchParams, body: Json): Json => {
    const [collection, rawName, ...rest] = path;
    const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    if (rest.length === 0 && collection === "schedule-groups") {
      if (name === undefined && method === "GET") return listGroups(q);
      if (name !== undefined && method === "POST") return createGroup(name, body);
      if (name !== undefined && method === "GET") return groupView(groupNamed(name));
      if (name !== undefined && method === "DELETE") return deleteGroup(name);
    }
    if (rest.length === 0 && collection === "schedules") {
      const group = q.get("groupName") ?? DEFAULT_GROUP;
      if (name === undefined && method === "GET") return listSchedules(q);
      if (name !== undefined && method === "POST") return putSchedule("create", name, body);
      if (name !== undefined && method === "PUT") return putSchedule("update", name, body);
      if (name !== undefined && method === "GET") return scheduleView(scheduleNamed(group, name));
      if (name !== undefined && method === "DELETE") {
        removeSchedule(scheduleNamed(group, name), "api");
        return {};
      }
    }
    throw new AwsError("UnknownOperationException", `No operation for ${method} /${path.join("/")}`, 404);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = (await readBody(req)).toString("utf8");
    const url = new URL(req.url ?? "/", "http://localhost");
    res.setHeader("content-type", "application/json");
    try {
      let body: Json = {};
      if (raw) {
        try {
          body = JSON.parse(raw) as Json;
        } catch {
          throw validation("Request body is not valid JSON.");
        }
      }
      const out = route(req.method ?? "GET", url.pathname.split("/").filter(Boolean), url.searchParams, body);
      res.end(JSON.stringify(out));
    } catch (error) {
      const e =
        error instanceof AwsError ? error : new AwsError("InternalServerException", String(error), 500);
      res.statusCode = e.status;
      res.setHeader("x-amzn-errortype", e.code);
      res.end(JSON.stringify({ Message: e.message }));
    }
  };

  const running = await serve(o, emitter, handler, () => {
    closed = true;
    clearInterval(ticker);
    sleeper.cancelAll();
    sqs.close();
  });
  return { url: running.url, port: running.port, activity: running.activity, close: running.close };
}

function occurrenceOf(fields: Json): string {
  return `${String(fields.ScheduleExpression)}@${String(fields.ScheduleExpressionTimezone ?? "UTC")}`;
}

/** Slices a sorted list by MaxResults / NextToken (an opaque offset). */
function page<T>(all: T[], q: URLSearchParams): { items: T[]; next?: string } {
  const max = q.has("MaxResults") ? Number(q.get("MaxResults")) : PAGE_MAX;
  if (!Number.isInteger(max) || max < 1 || max > PAGE_MAX)
    throw validation(`MaxResults must be 1-${PAGE_MAX}.`);
  let start = 0;
  const token = q.get("NextToken");
  if (token) {
    start = Number(Buffer.from(token, "base64url").toString("utf8"));
    if (!Number.isInteger(start) || start < 0) throw validation("Invalid NextToken.");
  }
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return end < all.length ? { items, next: Buffer.from(String(end)).toString("base64url") } : { items };
}

/** Checks a Create/Update body and returns the stored fields with defaults applied. */
function validateSchedule(body: Json): Json {
  const expression = body.ScheduleExpression;
  if (typeof expression !== "string" || expression.length > 256 || !parseScheduleExpression(expression)) {
    throw validation(`Invalid Schedule Expression ${String(expression)}.`);
  }
  const zone = body.ScheduleExpressionTimezone;
  if (zone !== undefined && (typeof zone !== "string" || !isValidTimeZone(zone))) {
    throw validation(`Invalid ScheduleExpressionTimezone ${String(zone)}.`);
  }
  const window = body.FlexibleTimeWindow as Json | undefined;
  if (!window || (window.Mode !== "OFF" && window.Mode !== "FLEXIBLE")) {
    throw validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.");
  }
  if (window.Mode === "FLEXIBLE" && !inRange(window.MaximumWindowInMinutes, 1, 1440)) {
    throw validation("FlexibleTimeWindow.MaximumWindowInMinutes must be 1-1440 when Mode is FLEXIBLE.");
  }
  const state = body.State ?? "ENABLED";
  if (state !== "ENABLED" && state !== "DISABLED") throw validation("State must be ENABLED or DISABLED.");
  const after = body.ActionAfterCompletion ?? "NONE";
  if (after !== "NONE" && after !== "DELETE")
    throw validation("ActionAfterCompletion must be NONE or DELETE.");
  if (
    body.Description !== undefined &&
    (typeof body.Description !== "string" || body.Description.length > 512)
  ) {
    throw validation("Description must be at most 512 characters.");
  }

  const target = body.Target as Json | undefined;
  if (!target || typeof target.Arn !== "string" || !target.Arn) throw validation("Target.Arn is required.");
  if (typeof target.RoleArn !== "string" || !target.RoleArn) throw validation("Target.RoleArn is required.");
  const retry = { ...DEFAULT_RETRY, ...((target.RetryPolicy as Json | undefined) ?? {}) };
  if (!inRange(retry.MaximumEventAgeInSeconds, 60, 86_400)) {
    throw validation("RetryPolicy.MaximumEventAgeInSeconds must be 60-86400.");
  }
  if (!inRange(retry.MaximumRetryAttempts, 0, 185))
    throw validation("RetryPolicy.MaximumRetryAttempts must be 0-185.");
  const dlq = target.DeadLetterConfig as Json | undefined;
  if (dlq?.Arn !== undefined && (typeof dlq.Arn !== "string" || !parseSqsArn(dlq.Arn))) {
    throw validation("DeadLetterConfig.Arn must be an SQS queue ARN.");
  }
  const groupId = (target.SqsParameters as Json | undefined)?.MessageGroupId;
  if (groupId !== undefined && (typeof groupId !== "string" || groupId.length < 1 || groupId.length > 128)) {
    throw validation("SqsParameters.MessageGroupId must be 1-128 characters.");
  }

  // Full replace: only what this request carries, plus the defaults AWS reports.
  const fields: Json = {
    ScheduleExpression: expression,
    FlexibleTimeWindow: window,
    State: state,
    ActionAfterCompletion: after,
    Target: { ...target, RetryPolicy: retry },
  };
  for (const k of ["ScheduleExpressionTimezone", "Description", "StartDate", "EndDate", "KmsKeyArn"]) {
    if (body[k] !== undefined) fields[k] = body[k];
  }
  return fields;
}

function inRange(v: unknown, min: number, max: number): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}
