/**
 * Create Herald's stateful resources on the local endpoints from the same definitions the
 * CDK stateful stack uses (schemas/resources.ts), through the real AWS SDK v3 clients.
 * Every step is idempotent so `--persist` restarts find what they left.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateEventBusCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateAliasCommand, DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { CreateScheduleGroupCommand, type SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  CRONS_DLQ,
  EVENTS_DLQ,
  names,
  QUEUES,
  type QueueId,
  SCHEDULER_DLQ,
  SECRETS,
  type SecretId,
  TABLE,
} from "../../schemas/resources.js";

const DAY = 86_400;

export interface LocalResources {
  readonly table: string;
  readonly queues: Record<string, string>;
  readonly queueArns: Record<string, string>;
  readonly scheduleGroup: string;
  readonly bus: string;
  readonly secrets: Record<SecretId, string>;
  readonly tokenKey: { readonly id: string; readonly arn: string; readonly alias: string };
}

export interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly scheduler: SchedulerClient;
  readonly secrets: SecretsManagerClient;
  readonly kms: KMSClient;
  readonly eventbridge: EventBridgeClient;
}

const errorName = (e: unknown) => (e as { name?: string })?.name ?? "";

export async function createTable(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const attrs = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const g of TABLE.globalIndexes) {
    attrs.add(g.partitionKey);
    attrs.add(g.sortKey);
  }
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [...attrs].map((name) => ({ AttributeName: name, AttributeType: "S" })),
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: TABLE.globalIndexes.map((g) => ({
          IndexName: g.name,
          KeySchema: [
            { AttributeName: g.partitionKey, KeyType: "HASH" },
            { AttributeName: g.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  try {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A persisted table already has TTL on.
    if (!/already enabled/i.test((error as Error).message ?? "")) throw error;
  }
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${url} has no ARN`);
  return arn;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return { url: out.QueueUrl, arn: await queueArn(sqs, out.QueueUrl) };
}

export async function createQueues(sqs: SQSClient, stage: string) {
  const queues: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  for (const def of Object.values(QUEUES)) {
    const id: QueueId = def.id;
    const dlq = await createQueue(sqs, names.dlq(stage, id), {
      MessageRetentionPeriod: String(def.dlqRetentionDays * DAY),
    });
    const main = await createQueue(sqs, names.queue(stage, id), {
      VisibilityTimeout: String(def.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(def.retentionDays * DAY),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: def.maxReceiveCount }),
    });
    queues[id] = main.url;
    queueArns[id] = main.arn;
    queues[`${id}Dlq`] = dlq.url;
    queueArns[`${id}Dlq`] = dlq.arn;
  }
  const schedulerDlq = await createQueue(sqs, names.schedulerDlq(stage), {
    MessageRetentionPeriod: String(SCHEDULER_DLQ.retentionDays * DAY),
  });
  queues.schedulerDlq = schedulerDlq.url;
  queueArns.schedulerDlq = schedulerDlq.arn;
  const eventsDlq = await createQueue(sqs, names.eventsDlq(stage), {
    MessageRetentionPeriod: String(EVENTS_DLQ.retentionDays * DAY),
  });
  queues.eventsDlq = eventsDlq.url;
  queueArns.eventsDlq = eventsDlq.arn;
  // The crons DLQ exists as in AWS (runbooks and dlq tooling read it); the local cron runner
  // invokes synchronously and logs a failed run instead of dead-lettering it (docs/local-stack.md).
  const cronsDlq = await createQueue(sqs, names.cronsDlq(stage), {
    MessageRetentionPeriod: String(CRONS_DLQ.retentionDays * DAY),
  });
  queues.cronsDlq = cronsDlq.url;
  queueArns.cronsDlq = cronsDlq.arn;
  return { queues, queueArns };
}

/** Create each secret with its seed value unless it exists (a persisted or re-used emulator). */
export async function createSecrets(
  secrets: SecretsManagerClient,
  stage: string,
  values: Record<SecretId, string>,
): Promise<Record<SecretId, string>> {
  const out = {} as Record<SecretId, string>;
  for (const def of Object.values(SECRETS)) {
    const name = names.secret(stage, def.id);
    out[def.id] = name;
    try {
      await secrets.send(new DescribeSecretCommand({ SecretId: name }));
      continue;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException) && errorName(error) !== "ResourceNotFoundException")
        throw error;
    }
    await secrets.send(
      new CreateSecretCommand({ Name: name, Description: def.description, SecretString: values[def.id] }),
    );
  }
  return out;
}

/**
 * Give the token key (preloaded into the KMS emulator with its persisted material) the stage's
 * alias, as the stateful stack does; a re-used emulator already has it.
 */
export async function createTokenKey(kms: KMSClient, stage: string, keyId: string) {
  const alias = names.tokenKeyAlias(stage);
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId })).catch((e: unknown) => {
    if (errorName(e) !== "AlreadyExistsException") throw e;
  });
  const out = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
  return { id: out.KeyMetadata!.KeyId!, arn: out.KeyMetadata!.Arn!, alias };
}

export async function createResources(
  clients: Clients,
  stage: string,
  secretValues: Record<SecretId, string>,
  tokenKeyId: string,
): Promise<LocalResources> {
  const table = names.table(stage);
  const scheduleGroup = names.scheduleGroup(stage);
  const bus = names.bus(stage);
  const [, q, , , secrets, tokenKey] = await Promise.all([
    createTable(clients.dynamodb, table),
    createQueues(clients.sqs, stage),
    clients.scheduler.send(new CreateScheduleGroupCommand({ Name: scheduleGroup })).catch((e: unknown) => {
      if (errorName(e) !== "ConflictException") throw e;
    }),
    clients.eventbridge.send(new CreateEventBusCommand({ Name: bus })).catch((e: unknown) => {
      if (errorName(e) !== "ResourceAlreadyExistsException") throw e;
    }),
    createSecrets(clients.secrets, stage, secretValues),
    createTokenKey(clients.kms, stage, tokenKeyId),
  ]);
  return { table, queues: q.queues, queueArns: q.queueArns, scheduleGroup, bus, secrets, tokenKey };
}
