/**
 * EventBridge emulator: an awsJson1_1 server (`X-Amz-Target: AWSEvents.<Op>`) that the
 * unmodified `@aws-sdk/client-eventbridge` reaches through `endpoint` /
 * `AWS_ENDPOINT_URL_EVENTBRIDGE`.
 *
 * Operations: CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus, PutRule, DescribeRule,
 * ListRules, DeleteRule, EnableRule, DisableRule, PutTargets, RemoveTargets,
 * ListTargetsByRule, PutEvents.
 *
 * Reproduced semantics:
 * - The `default` bus always exists; buses and rules are addressed by name or ARN.
 * - PutRule is an upsert (targets survive); EventPattern is validated
 *   (InvalidEventPatternException) and matched as described in `event-pattern.ts`;
 *   DeleteRule refuses a rule that still has targets.
 * - PutEvents takes 1–10 entries, answers each with an EventId or an ErrorCode
 *   (`InvalidArgument` for missing fields, `MalformedDetail` when Detail is not a JSON object,
 *   `ResourceNotFoundException` for an unknown bus) plus FailedEntryCount, and routes matching
 *   events asynchronously, after the answer.
 * - Delivery: the full envelope `{version:"0", id, detail-type, source, account, time, region,
 *   resources, detail}` (or the target's constant `Input`, or the `InputPath` selection) to SQS
 *   queue targets through the real SQS client (SqsParameters.MessageGroupId passed on) and to
 *   Lambda targets through `invokeFunction`. A failed delivery retries with exponential backoff
 *   under the target's RetryPolicy (defaults 185 / 86 400 s), then goes to its DeadLetterConfig
 *   queue (attributes ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN) or is
 *   dropped.
 *
 * Not reproduced: InputTransformer, scheduled rules (stored, never run), archives and replay,
 * API destinations, cross-account buses, resource policies, tags, quotas; InputPath supports
 * only `$` and dotted paths such as `$.detail`.
 */
import { randomUUID } from "node:crypto";
import { eventPatternError, matchesEventPattern } from "./event-pattern.js";
import {
  AwsError,
  awsJsonHandler,
  createActivity,
  createSleeper,
  createSqsSender,
  deliverWithRetries,
  errorCode,
  type JsonBody,
  parseSqsArn,
  resolveOptions,
  serve,
  str,
} from "./internal.js";
import type { EmulatorBaseOptions, RunningEmulator } from "./types.js";

export interface EventBridgeEmulatorOptions extends EmulatorBaseOptions {
  /** Where target queues live (the SQS emulator's URL). */
  sqsEndpoint: string;
  /** Delivers to Lambda targets; without it, Lambda deliveries fail (and retry, then dead-letter). */
  invokeFunction?: (target: { arn: string }, event: unknown) => Promise<void>;
  /** First retry delay; each further retry doubles it (cap 60 s). Default 1 000 ms. */
  retryBaseMs?: number;
}

interface Rule {
  readonly name: string;
  readonly arn: string;
  readonly bus: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: string;
  description?: string;
  roleArn?: string;
  readonly targets: Map<string, JsonBody>;
}

interface Bus {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly created: number;
  readonly rules: Map<string, Rule>;
}

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const DEFAULT_BUS = "default";
const RULE_STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);
const DEFAULT_RETRY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

const validation = (m: string) => new AwsError("ValidationException", m);
const notFound = (m: string) => new AwsError("ResourceNotFoundException", m);

/** Starts the EventBridge emulator on loopback (port 0 = ephemeral). */
export async function startEventBridgeEmulator(opts: EventBridgeEmulatorOptions): Promise<RunningEmulator> {
  const o = resolveOptions(opts);
  const { emitter, emit } = createActivity("eventbridge");
  const sqs = createSqsSender(opts.sqsEndpoint, o.region);
  const sleeper = createSleeper();
  const retryBaseMs = opts.retryBaseMs ?? 1000;
  let closed = false;
  const arnPrefix = `arn:aws:events:${o.region}:${o.accountId}`;

  const newBus = (name: string, description?: string): Bus => ({
    name,
    arn: `${arnPrefix}:event-bus/${name}`,
    description,
    created: Date.now(),
    rules: new Map(),
  });
  const buses = new Map<string, Bus>([[DEFAULT_BUS, newBus(DEFAULT_BUS)]]);

  /** A bus by name or ARN (default when absent), or undefined. */
  const lookupBus = (nameOrArn: string | undefined): Bus | undefined => {
    const id = nameOrArn ?? DEFAULT_BUS;
    return buses.get(id.startsWith("arn:") ? id.slice(id.indexOf(":event-bus/") + 11) : id);
  };
  const busOf = (body: JsonBody, key = "EventBusName"): Bus => {
    const bus = lookupBus(str(body, key));
    if (!bus) throw notFound(`Event bus ${str(body, key)} does not exist.`);
    return bus;
  };
  const ruleOf = (body: JsonBody, key = "Name"): Rule => {
    const bus = busOf(body);
    const name = str(body, key) ?? "";
    const rule = bus.rules.get(name);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return rule;
  };

  const ruleView = (r: Rule): JsonBody => ({
    Name: r.name,
    Arn: r.arn,
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    State: r.state,
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
    EventBusName: r.bus,
  });

  // --- delivery ---------------------------------------------------------------------------

  const deliver = async (rule: Rule, target: JsonBody, event: JsonBody) => {
    const arn = String(target.Arn);
    const retry = { ...DEFAULT_RETRY, ...((target.RetryPolicy as JsonBody | undefined) ?? {}) };
    const body =
      typeof target.Input === "string" ? target.Input : JSON.stringify(selectPath(event, target.InputPath));
    const about = { bus: rule.bus, rule: rule.name, targetId: target.Id, target: arn, eventId: event.id };
    const outcome = await deliverWithRetries(
      {
        maxRetries: Number(retry.MaximumRetryAttempts),
        maxAgeMs: Number(retry.MaximumEventAgeInSeconds) * 1000,
        startedMs: Date.now(),
        baseMs: retryBaseMs,
      },
      async (attempt) => {
        if (parseSqsArn(arn)) {
          const groupId = (target.SqsParameters as JsonBody | undefined)?.MessageGroupId as
            | string
            | undefined;
          const messageId = await sqs.send(arn, body, groupId ? { messageGroupId: groupId } : {});
          emit("event-delivered", { ...about, attempt, messageId });
        } else if (arn.startsWith("arn:aws:lambda:") && opts.invokeFunction) {
          await opts.invokeFunction({ arn }, JSON.parse(body));
          emit("event-delivered", { ...about, attempt });
        } else {
          throw new AwsError("UnsupportedTarget", `No local delivery for target ${arn}`);
        }
      },
      {
        onRetry: (attempt, error, delay) =>
          emit("event-delivery-retried", {
            ...about,
            attempt,
            error: errorCode(error),
            nextAttemptInMs: delay,
          }),
        sleep: sleeper.sleep,
        stopped: () => closed,
      },
    );
    if (outcome.ok || closed) return;
    const dlq = (target.DeadLetterConfig as JsonBody | undefined)?.Arn;
    if (typeof dlq !== "string") {
      emit("event-dropped", { ...about, error: errorCode(outcome.error) });
      return;
    }
    const attr = (v: string) => ({ DataType: "String", StringValue: v });
    try {
      await sqs.send(dlq, JSON.stringify(event), {
        attributes: {
          ERROR_CODE: attr(errorCode(outcome.error)),
          ERROR_MESSAGE: attr(
            outcome.error instanceof Error ? outcome.error.message || "error" : String(outcome.error),
          ),
          RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(outcome.attempts - 1) },
          RULE_ARN: attr(rule.arn),
          TARGET_ARN: attr(arn),
        },
      });
      emit("event-dead-lettered", { ...about, deadLetterQueue: dlq, error: errorCode(outcome.error) });
    } catch (dlqError) {
      emit("event-dropped", {
        ...about,
        error: errorCode(outcome.error),
        deadLetterError: errorCode(dlqError),
      });
    }
  };

  // --- operations -------------------------------------------------------------------------

  const operations: Record<string, (body: JsonBody) => unknown> = {
    CreateEventBus(body) {
      const name = str(body, "Name") ?? "";
      if (!BUS_NAME.test(name)) throw validation(`Invalid event bus name ${name}.`);
      if (buses.has(name))
        throw new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
      const bus = newBus(name, str(body, "Description"));
      buses.set(name, bus);
      emit("event-bus-created", { bus: name });
      return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
    },

    DescribeEventBus(body) {
      const bus = busOf(body, "Name");
      return {
        Name: bus.name,
        Arn: bus.arn,
        ...(bus.description ? { Description: bus.description } : {}),
        CreationTime: bus.created / 1000,
        LastModifiedTime: bus.created / 1000,
      };
    },

    ListEventBuses(body) {
      const prefix = str(body, "NamePrefix") ?? "";
      const all = [...buses.values()]
        .filter((b) => b.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { items, next } = page(all, body);
      return {
        EventBuses: items.map((b) => ({
          Name: b.name,
          Arn: b.arn,
          ...(b.description ? { Description: b.description } : {}),
          CreationTime: b.created / 1000,
          LastModifiedTime: b.created / 1000,
        })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    DeleteEventBus(body) {
      const name = str(body, "Name") ?? "";
      if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
      // Deleting a bus that does not exist succeeds, as in AWS.
      if (buses.delete(name)) emit("event-bus-deleted", { bus: name });
      return {};
    },

    PutRule(body) {
      const bus = busOf(body);
      const name = str(body, "Name") ?? "";
      if (!RULE_NAME.test(name)) throw validation(`Invalid rule name ${name}.`);
      const eventPattern = str(body, "EventPattern");
      const scheduleExpression = str(body, "ScheduleExpression");
      if (eventPattern === undefined && scheduleExpression === undefined) {
        throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
      }
      if (scheduleExpression !== undefined && bus.name !== DEFAULT_BUS) {
        throw validation("ScheduleExpression is supported only on the default event bus.");
      }
      if (eventPattern !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(eventPattern);
        } catch {
          throw new AwsError("InvalidEventPatternException", "Event pattern is not valid. Reason: not JSON.");
        }
        const problem = eventPatternError(parsed);
        if (problem)
          throw new AwsError(
            "InvalidEventPatternException",
            `Event pattern is not valid. Reason: ${problem}`,
          );
      }
      const state = str(body, "State") ?? "ENABLED";
      if (!RULE_STATES.has(state)) throw validation(`Invalid rule state ${state}.`);
      const existing = bus.rules.get(name);
      const rule: Rule = {
        name,
        arn: `${arnPrefix}:rule/${bus.name === DEFAULT_BUS ? "" : `${bus.name}/`}${name}`,
        bus: bus.name,
        eventPattern,
        scheduleExpression,
        state,
        description: str(body, "Description"),
        roleArn: str(body, "RoleArn"),
        targets: existing?.targets ?? new Map(),
      };
      bus.rules.set(name, rule);
      emit(existing ? "rule-updated" : "rule-created", { bus: bus.name, rule: name, eventPattern, state });
      return { RuleArn: rule.arn };
    },

    DescribeRule: (body) => ruleView(ruleOf(body)),

    ListRules(body) {
      const bus = busOf(body);
      const prefix = str(body, "NamePrefix") ?? "";
      const rules = [...bus.rules.values()]
        .filter((r) => r.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { items, next } = page(rules, body);
      return { Rules: items.map(ruleView), ...(next ? { NextToken: next } : {}) };
    },

    DeleteRule(body) {
      const bus = busOf(body);
      const name = str(body, "Name") ?? "";
      const rule = bus.rules.get(name);
      if (!rule) return {};
      if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
      bus.rules.delete(name);
      emit("rule-deleted", { bus: bus.name, rule: name });
      return {};
    },

    EnableRule(body) {
      ruleOf(body).state = "ENABLED";
      return {};
    },

    DisableRule(body) {
      ruleOf(body).state = "DISABLED";
      return {};
    },

    PutTargets(body) {
      const rule = ruleOf(body, "Rule");
      const targets = Array.isArray(body.Targets) ? (body.Targets as JsonBody[]) : [];
      if (targets.length < 1 || targets.length > 10) throw validation("Targets must have 1-10 members.");
      const failed: JsonBody[] = [];
      for (const t of targets) {
        if (typeof t.Id !== "string" || !TARGET_ID.test(t.Id) || typeof t.Arn !== "string" || !t.Arn) {
          failed.push({
            TargetId: t.Id,
            ErrorCode: "ValidationException",
            ErrorMessage: "Target needs a valid Id and an Arn.",
          });
          continue;
        }
        rule.targets.set(t.Id, t);
      }
      emit("targets-put", {
        bus: rule.bus,
        rule: rule.name,
        targets: targets.map((t) => ({ id: t.Id, arn: t.Arn })),
      });
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    RemoveTargets(body) {
      const rule = ruleOf(body, "Rule");
      const ids = Array.isArray(body.Ids) ? body.Ids.map(String) : [];
      for (const id of ids) rule.targets.delete(id);
      emit("targets-removed", { bus: rule.bus, rule: rule.name, ids });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListTargetsByRule(body) {
      const rule = ruleOf(body, "Rule");
      const { items, next } = page([...rule.targets.values()], body);
      return { Targets: items, ...(next ? { NextToken: next } : {}) };
    },

    PutEvents(body) {
      const entries = Array.isArray(body.Entries) ? (body.Entries as JsonBody[]) : [];
      if (entries.length < 1 || entries.length > 10) {
        throw validation("1 validation error detected: Entries must have length between 1 and 10.");
      }
      const results = entries.map((entry) => putEvent(entry));
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
  };

  const putEvent = (entry: JsonBody): JsonBody => {
    const source = entry.Source;
    const detailType = entry.DetailType;
    const detailText = entry.Detail;
    if (
      typeof source !== "string" ||
      !source ||
      typeof detailType !== "string" ||
      !detailType ||
      typeof detailText !== "string"
    ) {
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameters Source, DetailType and Detail are required.",
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const bus = lookupBus(typeof entry.EventBusName === "string" ? entry.EventBusName : undefined);
    if (!bus)
      return {
        ErrorCode: "ResourceNotFoundException",
        ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.`,
      };
    const timeMs = typeof entry.Time === "number" ? entry.Time * 1000 : Date.now();
    const event: JsonBody = {
      version: "0",
      id: randomUUID(),
      "detail-type": detailType,
      source,
      account: o.accountId,
      time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: o.region,
      resources: Array.isArray(entry.Resources) ? entry.Resources : [],
      detail,
    };
    const matched = [...bus.rules.values()].filter(
      (r) =>
        r.state !== "DISABLED" &&
        r.eventPattern !== undefined &&
        matchesEventPattern(JSON.parse(r.eventPattern), event),
    );
    emit("event-put", {
      bus: bus.name,
      eventId: event.id,
      source,
      detailType,
      detail,
      rules: matched.map((r) => r.name),
    });
    // Routing happens after PutEvents has answered, as in AWS.
    setImmediate(() => {
      if (closed) return;
      for (const rule of matched)
        for (const target of rule.targets.values()) void deliver(rule, target, event);
    });
    return { EventId: event.id };
  };

  const running = await serve(o, emitter, awsJsonHandler("AWSEvents", operations), () => {
    closed = true;
    sleeper.cancelAll();
    sqs.close();
  });
  return { url: running.url, port: running.port, activity: running.activity, close: running.close };
}

/** `$` or a dotted path (`$.detail.tenantId`) into the event. */
function selectPath(event: JsonBody, path: unknown): unknown {
  if (typeof path !== "string" || path === "$") return event;
  let node: unknown = event;
  for (const part of path
    .replace(/^\$\.?/, "")
    .split(".")
    .filter(Boolean)) {
    node = node && typeof node === "object" ? (node as JsonBody)[part] : undefined;
  }
  return node ?? null;
}

/** Slices by `Limit` / `NextToken` (an opaque offset). */
function page<T>(all: T[], body: JsonBody): { items: T[]; next?: string } {
  const limit = typeof body.Limit === "number" ? body.Limit : 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validation("Limit must be 1-100.");
  const start =
    typeof body.NextToken === "string" ? Number(Buffer.from(body.NextToken, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation("Invalid NextToken.");
  const items = all.slice(start, start + limit);
  const end = start + items.length;
  return end < all.length ? { items, next: Buffer.from(String(end)).toString("base64url") } : { items };
}
