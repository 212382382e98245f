import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListScheduleGroupsCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startEventBridgeEmulator,
  startSchedulerEmulator,
  startSecretsManagerEmulator,
  startSqsEmulator,
} from "../../../local/emulators/index.js";
import type { RunningEmulator } from "../../../local/emulators/types.js";

// Handlers build clients with no endpoint in code; the local stack points them at the
// emulators with these variables only. This proves the emulators answer on those paths.
const VARS = [
  "AWS_ENDPOINT_URL_SQS",
  "AWS_ENDPOINT_URL_SCHEDULER",
  "AWS_ENDPOINT_URL_SECRETS_MANAGER",
  "AWS_ENDPOINT_URL_EVENTBRIDGE",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const emulators: RunningEmulator[] = [];

beforeAll(async () => {
  const sqs = await startSqsEmulator();
  const scheduler = await startSchedulerEmulator({ sqsEndpoint: sqs.url });
  const secrets = await startSecretsManagerEmulator();
  const events = await startEventBridgeEmulator({ sqsEndpoint: sqs.url });
  emulators.push(sqs, scheduler, secrets, events);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  });
});

afterAll(async () => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  for (const e of emulators.reverse()) await e.close();
});

describe("emulators behind AWS_ENDPOINT_URL_<SERVICE>", () => {
  it("are reached by clients built with no endpoint in code", async () => {
    const sqs = new SQSClient({});
    const scheduler = new SchedulerClient({});
    const secrets = new SecretsManagerClient({});
    const events = new EventBridgeClient({});
    try {
      expect((await sqs.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
      const groups = await scheduler.send(new ListScheduleGroupsCommand({}));
      expect(groups.ScheduleGroups?.map((g) => g.Name)).toEqual(["default"]);
      expect((await secrets.send(new ListSecretsCommand({}))).SecretList).toEqual([]);
      expect((await events.send(new ListRulesCommand({}))).Rules).toEqual([]);
    } finally {
      for (const c of [sqs, scheduler, secrets, events]) c.destroy();
    }
  });
});
