/**
 * The SQS emulator through the query protocol, driven by Debian's AWS CLI 2.9 (what the
 * runbooks' commands use): the same fixes as the JSON protocol (sqs.test.ts) must hold.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSqsEmulator } from "../../../local/emulators/sqs.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { awsCli, awsJson, cliTestTimeoutMs } from "./aws-cli.js";
import { recordActivity } from "./helpers.js";

let emulator: RunningEmulator;
let activity: ActivityEvent[];

beforeAll(async () => {
  emulator = await startSqsEmulator({ port: 0 });
  activity = recordActivity(emulator);
});

afterAll(async () => {
  await emulator?.close();
});

const sqs = <T = Record<string, unknown>>(...args: string[]) => awsJson<T>(emulator.url, ["sqs", ...args]);

interface Received {
  Messages?: {
    MessageId: string;
    ReceiptHandle: string;
    Body: string;
    Attributes?: Record<string, string>;
  }[];
}

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const args = ["create-queue", "--queue-name", name];
  if (attributes) args.push("--attributes", JSON.stringify(attributes));
  return (await sqs<{ QueueUrl: string }>(...args)).QueueUrl;
}

const counts = async (queueUrl: string) =>
  (
    await sqs<{ Attributes: Record<string, string> }>(
      "get-queue-attributes",
      "--queue-url",
      queueUrl,
      "--attribute-names",
      "ApproximateNumberOfMessages",
      "ApproximateNumberOfMessagesNotVisible",
    )
  ).Attributes;

describe("SQS emulator, query protocol (AWS CLI 2.9)", () => {
  // Timeouts count each test's CLI calls.
  it("returns each message once per receive when the visibility timeout is 0", {
    timeout: cliTestTimeoutMs(5),
  }, async () => {
    const url = await createQueue("q-peek");
    await sqs("send-message", "--queue-url", url, "--message-body", "only one");
    for (const expected of ["1", "2"]) {
      const out = await sqs<Received>(
        "receive-message",
        "--queue-url",
        url,
        "--max-number-of-messages",
        "10",
        "--visibility-timeout",
        "0",
        "--attribute-names",
        "All",
        "--message-attribute-names",
        "All",
      );
      expect(out.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
        ["only one", expected],
      ]);
    }
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
  });

  it("counts in-flight messages as not visible, and change-message-visibility is not a receive", {
    timeout: cliTestTimeoutMs(6),
  }, async () => {
    const url = await createQueue("q-counts");
    await sqs("send-message", "--queue-url", url, "--message-body", "in flight");
    const first = await sqs<Received>("receive-message", "--queue-url", url, "--visibility-timeout", "30");
    expect(first.Messages).toHaveLength(1);
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "1",
    });

    await sqs(
      "change-message-visibility",
      "--queue-url",
      url,
      "--receipt-handle",
      first.Messages![0]!.ReceiptHandle,
      "--visibility-timeout",
      "0",
    );
    const second = await sqs<Received>("receive-message", "--queue-url", url, "--attribute-names", "All");
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("batch-deletes (a stale handle is a successful no-op) and purges at once", {
    timeout: cliTestTimeoutMs(9),
  }, async () => {
    const url = await createQueue("q-delete");
    await sqs("send-message", "--queue-url", url, "--message-body", "twice");
    const stale = (await sqs<Received>("receive-message", "--queue-url", url, "--visibility-timeout", "0"))
      .Messages![0]!;
    const live = (await sqs<Received>("receive-message", "--queue-url", url, "--visibility-timeout", "30"))
      .Messages![0]!;
    const out = await sqs<{ Successful?: { Id: string }[]; Failed?: unknown[] }>(
      "delete-message-batch",
      "--queue-url",
      url,
      "--entries",
      JSON.stringify([
        { Id: "stale", ReceiptHandle: stale.ReceiptHandle },
        { Id: "live", ReceiptHandle: live.ReceiptHandle },
      ]),
    );
    expect(out.Successful?.map((s) => s.Id).sort()).toEqual(["live", "stale"]);
    expect(out.Failed ?? []).toEqual([]);
    expect(await counts(url)).toEqual({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "0",
    });
    expect(
      activity.filter((e) => e.type === "message-deleted" && e.detail.queue === "q-delete"),
    ).toHaveLength(1);

    await sqs("send-message", "--queue-url", url, "--message-body", "purge me");
    await sqs("purge-queue", "--queue-url", url);
    expect((await counts(url)).ApproximateNumberOfMessages).toBe("0");
  });

  it("answers errors as the query protocol does (the CLI exits non-zero with the code)", {
    timeout: cliTestTimeoutMs(1),
  }, async () => {
    const r = await awsCli(emulator.url, [
      "sqs",
      "receive-message",
      "--queue-url",
      `${emulator.url}/000000000000/missing`,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/NonExistentQueue|QueueDoesNotExist/);
  });
});
