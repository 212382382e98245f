import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSchedulerEmulator } from "../../../local/emulators/scheduler.js";
import { startSqsEmulator } from "../../../local/emulators/sqs.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { eventually, localClientConfig, recordActivity } from "./helpers.js";

const ACCOUNT = "000000000000";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/herald-scheduler`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

let sqsEmulator: RunningEmulator;
let schedulerEmulator: RunningEmulator;
let sqs: SQSClient;
let scheduler: SchedulerClient;
let activity: ActivityEvent[];
const queueUrls = new Map<string, string>();

beforeAll(async () => {
  sqsEmulator = await startSqsEmulator({ port: 0 });
  schedulerEmulator = await startSchedulerEmulator({
    port: 0,
    sqsEndpoint: sqsEmulator.url,
    tickMs: 100,
    retryBaseMs: 50,
  });
  activity = recordActivity(schedulerEmulator);
  sqs = new SQSClient(localClientConfig(sqsEmulator.url));
  scheduler = new SchedulerClient(localClientConfig(schedulerEmulator.url));
  for (const name of ["publish", "publish-dlq", "scheduler-dlq", "sentinel"]) {
    queueUrls.set(name, (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!);
  }
  const fifo = await sqs.send(
    new CreateQueueCommand({
      QueueName: "ordered.fifo",
      Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
    }),
  );
  queueUrls.set("ordered.fifo", fifo.QueueUrl!);
});

afterAll(async () => {
  scheduler?.destroy();
  sqs?.destroy();
  await schedulerEmulator?.close();
  await sqsEmulator?.close();
});

/** A whole second at least `aheadMs` from now, as epoch ms. */
function secondAhead(aheadMs: number): number {
  return Math.ceil((Date.now() + aheadMs) / 1000) * 1000;
}

/** The wall-clock time of `ms` in `timeZone`, as at() wants it (yyyy-mm-ddThh:mm:ss). */
function wallClock(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

function schedule(
  name: string,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: `at(${wallClock(secondAhead(2000), "UTC")})`,
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: { Arn: queueArn("publish"), RoleArn: ROLE, Input: JSON.stringify({ name }) },
    ...overrides,
  };
}

async function drain(queue: string, expected: number): Promise<Message[]> {
  const got: Message[] = [];
  await eventually(async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrls.get(queue),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    got.push(...(out.Messages ?? []));
    if (got.length < expected) throw new Error(`${got.length}/${expected} messages in ${queue}`);
  });
  return got;
}

/** Fires a sentinel schedule due no earlier than `dueMs` and waits for it: every earlier due time has passed by then. */
async function afterSentinel(name: string, dueMs: number): Promise<void> {
  await scheduler.send(
    new CreateScheduleCommand(
      schedule(name, {
        ScheduleExpression: `at(${wallClock(dueMs, "UTC")})`,
        Target: { Arn: queueArn("sentinel"), RoleArn: ROLE, Input: name },
      }),
    ),
  );
  await eventually(async () => {
    if (!activity.some((e) => e.type === "schedule-fired" && e.detail.name === name))
      throw new Error("not yet");
  });
}

describe("Scheduler emulator", () => {
  it("fires an at() schedule once into SQS with placeholders substituted; DELETE removes it, NONE keeps it", async () => {
    const due = secondAhead(2000);
    const at = `at(${wallClock(due, "UTC")})`;
    const input =
      '{"when":"<aws.scheduler.scheduled-time>","exec":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>","arn":"<aws.scheduler.schedule-arn>"}';
    const created = await scheduler.send(
      new CreateScheduleCommand(
        schedule("once-delete", {
          ScheduleExpression: at,
          ActionAfterCompletion: "DELETE",
          Target: { Arn: queueArn("publish"), RoleArn: ROLE, Input: input },
        }),
      ),
    );
    await scheduler.send(new CreateScheduleCommand(schedule("once-keep", { ScheduleExpression: at })));

    const messages = await drain("publish", 2);
    const bodies = messages.map((m) => JSON.parse(m.Body!) as Record<string, string>);
    const substituted = bodies.find((b) => b.arn !== undefined)!;
    expect(substituted).toMatchObject({
      when: new Date(due).toISOString().replace(".000Z", "Z"),
      attempt: "1",
      arn: created.ScheduleArn,
    });
    expect(substituted.exec).toMatch(/^[0-9a-f]{16}$/);
    expect(bodies.find((b) => b.arn === undefined)).toEqual({ name: "once-keep" });

    await eventually(async () => {
      await expect(scheduler.send(new GetScheduleCommand({ Name: "once-delete" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });
    const kept = await scheduler.send(new GetScheduleCommand({ Name: "once-keep" }));
    expect(kept.State).toBe("ENABLED");
    expect(kept.ActionAfterCompletion).toBe("NONE");

    // Later ticks must not fire either schedule again.
    await afterSentinel("sentinel-once", secondAhead(1000));
    const again = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrls.get("publish"), WaitTimeSeconds: 0 }),
    );
    expect(again.Messages ?? []).toHaveLength(0);
    expect(
      activity.filter((e) => e.type === "schedule-fired" && String(e.detail.name).startsWith("once-")),
    ).toHaveLength(2);
  });

  it("fires a timezone'd at() at the matching UTC instant", async () => {
    const due = secondAhead(2500);
    await scheduler.send(
      new CreateScheduleCommand(
        schedule("in-kolkata", {
          ScheduleExpression: `at(${wallClock(due, "Asia/Kolkata")})`,
          ScheduleExpressionTimezone: "Asia/Kolkata",
          Target: { Arn: queueArn("publish"), RoleArn: ROLE, Input: "<aws.scheduler.scheduled-time>" },
        }),
      ),
    );
    const [message] = await drain("publish", 1);
    expect(message?.Body).toBe(new Date(due).toISOString().replace(".000Z", "Z"));
    // Recorded once SQS has answered, which can be just after the message is receivable.
    const fired = await eventually(async () => {
      const e = activity.find((a) => a.type === "schedule-fired" && a.detail.name === "in-kolkata");
      if (!e) throw new Error("not recorded yet");
      return e;
    });
    expect(Date.parse(fired.at)).toBeGreaterThanOrEqual(due);
  });

  it("never fires a DISABLED schedule", async () => {
    const due = secondAhead(1500);
    await scheduler.send(
      new CreateScheduleCommand(
        schedule("switched-off", { ScheduleExpression: `at(${wallClock(due, "UTC")})`, State: "DISABLED" }),
      ),
    );
    await afterSentinel("sentinel-disabled", due + 1000);
    expect(activity.some((e) => e.type === "schedule-fired" && e.detail.name === "switched-off")).toBe(false);
    const none = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrls.get("publish"), WaitTimeSeconds: 0 }),
    );
    expect(none.Messages ?? []).toHaveLength(0);
  });

  it("passes SqsParameters.MessageGroupId to a FIFO target", async () => {
    await scheduler.send(
      new CreateScheduleCommand(
        schedule("fifo", {
          Target: {
            Arn: queueArn("ordered.fifo"),
            RoleArn: ROLE,
            Input: "in order",
            SqsParameters: { MessageGroupId: "tenant-1" },
          },
        }),
      ),
    );
    const [message] = await drain("ordered.fifo", 1);
    expect(message?.Body).toBe("in order");
    expect(message?.Attributes?.MessageGroupId).toBe("tenant-1");
  });

  it("retries a schedule whose target queue does not exist, then dead-letters it", async () => {
    const created = await scheduler.send(
      new CreateScheduleCommand(
        schedule("doomed", {
          ScheduleExpression: `at(${wallClock(secondAhead(1000), "UTC")})`,
          ActionAfterCompletion: "DELETE",
          Target: {
            Arn: queueArn("no-such-queue"),
            RoleArn: ROLE,
            Input: '{"attempt":"<aws.scheduler.attempt-number>"}',
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
            DeadLetterConfig: { Arn: queueArn("scheduler-dlq") },
          },
        }),
      ),
    );
    const [dead] = await drain("scheduler-dlq", 1);
    expect(JSON.parse(dead!.Body!)).toEqual({ attempt: "3" });
    expect(dead?.MessageAttributes?.SCHEDULE_ARN?.StringValue).toBe(created.ScheduleArn);
    expect(dead?.MessageAttributes?.TARGET_ARN?.StringValue).toBe(queueArn("no-such-queue"));
    expect(dead?.MessageAttributes?.ERROR_CODE?.StringValue).toBe("QueueDoesNotExist");
    expect(dead?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe("2");
    const retried = activity.filter((e) => e.type === "schedule-retried" && e.detail.name === "doomed");
    expect(retried.map((e) => e.detail.attempt)).toEqual([1, 2]);
    await eventually(async () => {
      expect(activity.some((e) => e.type === "schedule-dead-lettered" && e.detail.name === "doomed")).toBe(
        true,
      );
    });
    await eventually(async () => {
      await expect(scheduler.send(new GetScheduleCommand({ Name: "doomed" }))).rejects.toBeInstanceOf(
        ResourceNotFoundException,
      );
    });
  });

  it("answers a duplicate name with ConflictException 409, and a replayed ClientToken with the first answer", async () => {
    const first = await scheduler.send(
      new CreateScheduleCommand(
        schedule("twice", { ScheduleExpression: "at(2099-01-01T00:00:00)", ClientToken: "tok-1" }),
      ),
    );
    const replay = await scheduler.send(
      new CreateScheduleCommand(
        schedule("twice", { ScheduleExpression: "at(2099-01-01T00:00:00)", ClientToken: "tok-1" }),
      ),
    );
    expect(replay.ScheduleArn).toBe(first.ScheduleArn);
    const error = await scheduler
      .send(
        new CreateScheduleCommand(
          schedule("twice", { ScheduleExpression: "at(2099-01-01T00:00:00)", ClientToken: "tok-2" }),
        ),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(409);
    expect((error as ConflictException).message).toContain("twice");
  });

  it("treats UpdateSchedule as a full replace", async () => {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-a" }));
    await scheduler.send(
      new CreateScheduleCommand({
        Name: "replace-me",
        GroupName: "tenant-a",
        ScheduleExpression: "at(2099-06-01T09:00:00)",
        ScheduleExpressionTimezone: "Europe/Paris",
        Description: "first version",
        State: "DISABLED",
        ActionAfterCompletion: "DELETE",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: queueArn("publish"),
          RoleArn: ROLE,
          Input: "v1",
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: queueArn("scheduler-dlq") },
        },
      }),
    );
    await scheduler.send(
      new UpdateScheduleCommand({
        Name: "replace-me",
        GroupName: "tenant-a",
        ScheduleExpression: "at(2099-06-02T10:00:00)",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: queueArn("publish"), RoleArn: ROLE, Input: "v2" },
      }),
    );
    const got = await scheduler.send(new GetScheduleCommand({ Name: "replace-me", GroupName: "tenant-a" }));
    expect(got).toMatchObject({
      Name: "replace-me",
      GroupName: "tenant-a",
      ScheduleExpression: "at(2099-06-02T10:00:00)",
      State: "ENABLED",
      ActionAfterCompletion: "NONE",
      Target: { Input: "v2", RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 } },
    });
    expect(got.Description).toBeUndefined();
    expect(got.ScheduleExpressionTimezone).toBeUndefined();
    expect(got.Target?.DeadLetterConfig).toBeUndefined();
    expect(got.CreationDate).toBeInstanceOf(Date);
    await expect(
      scheduler.send(
        new UpdateScheduleCommand({
          Name: "never-created",
          GroupName: "tenant-a",
          ScheduleExpression: "at(2099-06-02T10:00:00)",
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: queueArn("publish"), RoleArn: ROLE },
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses bad names, expressions and time zones with ValidationException", async () => {
    for (const input of [
      schedule("has space"),
      schedule("x".repeat(65)),
      schedule("bad-expr", { ScheduleExpression: "at(2099-02-30T00:00:00)" }),
      schedule("bad-rate", { ScheduleExpression: "rate(1 minutes)" }),
      schedule("bad-zone", { ScheduleExpressionTimezone: "Mars/Base" }),
      schedule("bad-retry", {
        Target: { Arn: queueArn("publish"), RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } },
      }),
    ]) {
      await expect(scheduler.send(new CreateScheduleCommand(input)), input.Name).rejects.toBeInstanceOf(
        ValidationException,
      );
    }
    const stored = await scheduler.send(
      new CreateScheduleCommand(schedule("cron-ok", { ScheduleExpression: "cron(0 3 * * ? *)" })),
    );
    expect(stored.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/cron-ok`);
    await expect(scheduler.send(new GetScheduleCommand({ Name: "missing" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(scheduler.send(new DeleteScheduleCommand({ Name: "missing" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      scheduler.send(new CreateScheduleCommand(schedule("orphan", { GroupName: "no-such-group" }))),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("lists schedules by group and prefix with pagination, and deleting a group deletes its schedules", async () => {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-b" }));
    await expect(scheduler.send(new CreateScheduleGroupCommand({ Name: "tenant-b" }))).rejects.toBeInstanceOf(
      ConflictException,
    );
    for (const name of ["delivery-1", "delivery-2", "delivery-3", "other"]) {
      await scheduler.send(
        new CreateScheduleCommand(
          schedule(name, { GroupName: "tenant-b", ScheduleExpression: "at(2099-01-01T00:00:00)" }),
        ),
      );
    }
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await scheduler.send(
        new ListSchedulesCommand({
          GroupName: "tenant-b",
          NamePrefix: "delivery-",
          MaxResults: 2,
          NextToken,
        }),
      );
      names.push(...(out.Schedules ?? []).map((s) => s.Name!));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    expect(names).toEqual(["delivery-1", "delivery-2", "delivery-3"]);
    expect(pages).toBe(2);

    const group = await scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-b" }));
    expect(group).toMatchObject({ Name: "tenant-b", State: "ACTIVE" });
    const groups = await scheduler.send(new ListScheduleGroupsCommand({}));
    expect(groups.ScheduleGroups?.map((g) => g.Name)).toEqual(
      expect.arrayContaining(["default", "tenant-b"]),
    );

    await scheduler.send(new DeleteScheduleGroupCommand({ Name: "tenant-b" }));
    await expect(scheduler.send(new GetScheduleGroupCommand({ Name: "tenant-b" }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const left = await scheduler.send(new ListSchedulesCommand({ NamePrefix: "delivery-" }));
    expect(left.Schedules ?? []).toHaveLength(0);
  });
});
