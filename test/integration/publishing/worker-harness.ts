/**
 * The publish worker run in this test process against the stack's emulators and sandbox: the
 * very handler chain (`createPublishHandler`) and adapters (`publishDeps`), with test-sized
 * retry policies and lease, fed by a queue of its own (short visibility, redrive to its own DLQ
 * after 3 receives) through the local stack's queue poller. The stack's worker never sees these
 * deliveries: their schedules are deleted right after scheduling and the messages go to the
 * harness queue.
 */
import { randomUUID } from "node:crypto";
import { DeleteScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { FUNCTIONS } from "../../../functions/manifest.js";
import type { PublishDeps, PublisherPort } from "../../../functions/publishing/use-cases/ports.js";
import { type RunningPoller, startQueuePoller } from "../../../local/runtime/poller.js";
import { ENV } from "../../../schemas/env.js";
import { stackInfo } from "../../support/stack.js";

const credentials = { accessKeyId: "local", secretAccessKey: "local" };

/** Point this process's environment at the stack, as the stack does for its own handlers. */
function stackEnv(publishQueueUrl: string, publishDlqUrl: string) {
  const info = stackInfo();
  const r = info.resources;
  const sandbox = info.sandboxUrl ?? "http://127.0.0.1:9";
  const env: Record<string, string> = {
    [ENV.STAGE]: r.stage,
    [ENV.TABLE_NAME]: r.table,
    [ENV.PUBLISH_QUEUE_URL]: publishQueueUrl,
    [ENV.PUBLISH_QUEUE_ARN]: r.queueArns.publish!,
    [ENV.PUBLISH_DLQ_URL]: publishDlqUrl,
    [ENV.EVENT_BUS_NAME]: r.bus,
    [ENV.SCHEDULE_GROUP_NAME]: r.scheduleGroup,
    [ENV.SCHEDULER_ROLE_ARN]: r.schedulerRoleArn,
    [ENV.SCHEDULER_DLQ_ARN]: r.queueArns.schedulerDlq!,
    [ENV.APP_CREDENTIALS_SECRET_ID]: r.secrets.appCredentials!,
    [ENV.TOKEN_KEY_ID]: r.tokenKey.arn,
    [ENV.META_GRAPH_URL]: `${sandbox}/meta/graph`,
    [ENV.META_WWW_URL]: `${sandbox}/meta/www`,
    [ENV.LINKEDIN_API_URL]: `${sandbox}/linkedin/api`,
    [ENV.LINKEDIN_WWW_URL]: `${sandbox}/linkedin/www`,
    [ENV.PUBLIC_API_URL]: info.apiUrl,
    POWERTOOLS_LOG_LEVEL: "SILENT",
    POWERTOOLS_METRICS_DISABLED: "true",
    AWS_REGION: info.aws.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: info.aws.dynamodb,
    AWS_ENDPOINT_URL_SQS: info.aws.sqs,
    AWS_ENDPOINT_URL_SCHEDULER: info.aws.scheduler,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: info.aws.secretsmanager,
    AWS_ENDPOINT_URL_KMS: info.aws.kms,
    AWS_ENDPOINT_URL_EVENTBRIDGE: info.aws.eventbridge,
  };
  Object.assign(process.env, env);
}

export interface Harness {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  /** Send a PublishRequested v1 to the harness queue. */
  send(tenantId: string, deliveryId: string, version: number): Promise<void>;
  /** Messages currently in the harness DLQ (received and left there). */
  dlqBodies(): Promise<string[]>;
  /** Delete the delivery's schedule so the stack's own worker never gets it. */
  unschedule(scheduleName: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly overrides?: Partial<PublishDeps>;
  /** Wrap the real publisher (e.g. to simulate a crash after the provider accepted). */
  readonly wrapPublisher?: (inner: PublisherPort) => PublisherPort;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const info = stackInfo();
  const sqs = new SQSClient({ region: info.aws.region, endpoint: info.aws.sqs, credentials });
  const scheduler = new SchedulerClient({
    region: info.aws.region,
    endpoint: info.aws.scheduler,
    credentials,
  });
  const name = `herald-test-publish-${randomUUID().slice(0, 8)}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl!;
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: "2",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }),
      },
    }),
  );
  const queueUrl = q.QueueUrl!;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;

  stackEnv(queueUrl, dlqUrl);
  const { publishDeps } = await import("../../../functions/publishing/wiring.js");
  const { createPublishHandler } = await import("../../../functions/publishing/handlers/publish.handler.js");
  const built = publishDeps(opts.overrides);
  const deps = opts.wrapPublisher
    ? { ...built.deps, publisher: opts.wrapPublisher(built.deps.publisher) }
    : built.deps;
  const handler = createPublishHandler(deps, built.queue);
  const fn = FUNCTIONS.find((f) => f.name === "publish")!;
  const context = (): Context =>
    ({
      callbackWaitsForEmptyEventLoop: true,
      functionName: "herald-test-publish",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:local:000000000000:function:herald-test-publish",
      memoryLimitInMB: "512",
      awsRequestId: randomUUID(),
      logGroupName: "/aws/lambda/herald-test-publish",
      logStreamName: "test",
      getRemainingTimeInMillis: () => 60_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    }) as Context;
  const poller: RunningPoller = startQueuePoller({
    sqs,
    fn,
    trigger: { batchSize: 10, maxConcurrency: 2 },
    queueUrl,
    queueArn,
    region: info.aws.region,
    waitTimeSeconds: 1,
    invoker: {
      invoke: async <T>(_fn: unknown, event: unknown) => ({
        requestId: randomUUID(),
        result: (await handler(event as never, context())) as T,
        durationMs: 0,
      }),
    },
  });

  return {
    sqs,
    queueUrl,
    dlqUrl,
    async send(tenantId, deliveryId, version) {
      const event = PublishRequestedV1.create(
        { tenantId, deliveryId, version },
        { correlationId: `harness-${randomUUID()}`, id: `${deliveryId}.v${version}` },
      );
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
    },
    async dlqBodies() {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
        }),
      );
      return (out.Messages ?? []).map((m) => m.Body ?? "");
    },
    async unschedule(scheduleName) {
      await scheduler.send(
        new DeleteScheduleCommand({ Name: scheduleName, GroupName: info.resources.scheduleGroup }),
      );
    },
    async stop() {
      await poller.stop();
      sqs.destroy();
      scheduler.destroy();
    },
  };
}
