import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { TOKEN_VAULT_ACTIONS, TOKEN_VAULT_CONDITIONS } from "../../lib/bindings.js";
import {
  CRONS_DLQ,
  names,
  QUEUES,
  SCHEDULER_DLQ,
  SECRETS,
  TABLE,
  TOKEN_KEY,
} from "../../schemas/resources.js";
import {
  asArray,
  logicalIdBy,
  policyStatements,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from "../support/infra-app.js";

let dev: SynthesizedStage;
let prod: SynthesizedStage;

beforeAll(() => {
  // The stateful stack does not depend on the functions: skip them to keep this file fast.
  dev = synthStage("test", []);
  prod = synthStage("acme-prod", []);
});

describe("stateful stack: the table", () => {
  it("is built from TABLE: keys, GSIs, TTL, on-demand", () => {
    dev.statefulTemplate.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      TableName: names.table("test"),
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith(
        TABLE.globalIndexes.map((gsi) =>
          Match.objectLike({
            IndexName: gsi.name,
            KeySchema: [
              { AttributeName: gsi.partitionKey, KeyType: "HASH" },
              { AttributeName: gsi.sortKey, KeyType: "RANGE" },
            ],
          }),
        ),
      ),
    });
  });

  it("is encrypted with KMS and has point-in-time recovery", () => {
    dev.statefulTemplate.hasResourceProperties("AWS::DynamoDB::GlobalTable", {
      SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it("is retained and deletion-protected on prod-like stages only", () => {
    prod.statefulTemplate.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
    dev.statefulTemplate.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });
});

describe("stateful stack: queues", () => {
  for (const q of Object.values(QUEUES)) {
    it(`${q.id}: redrives to its own DLQ after maxReceiveCount ${q.maxReceiveCount}`, () => {
      const dlqId = logicalIdBy(
        dev.statefulTemplate,
        "AWS::SQS::Queue",
        "QueueName",
        names.dlq("test", q.id),
      );
      dev.statefulTemplate.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: names.queue("test", q.id),
        VisibilityTimeout: q.visibilityTimeoutSeconds,
        MessageRetentionPeriod: q.retentionDays * 86_400,
        RedrivePolicy: {
          deadLetterTargetArn: { "Fn::GetAtt": [dlqId, "Arn"] },
          maxReceiveCount: q.maxReceiveCount,
        },
      });
      dev.statefulTemplate.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: names.dlq("test", q.id),
        MessageRetentionPeriod: q.dlqRetentionDays * 86_400,
      });
    });
  }

  it("encrypts every queue and refuses non-TLS access to each", () => {
    const queues = resourcesOf(dev.statefulTemplate, "AWS::SQS::Queue");
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(2 * Object.keys(QUEUES).length + 1);
    const policies = Object.values(resourcesOf(dev.statefulTemplate, "AWS::SQS::QueuePolicy"));
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
      const denies = policies.filter(
        (p) =>
          JSON.stringify(p.Properties?.Queues).includes(`"${id}"`) &&
          JSON.stringify(p.Properties?.PolicyDocument).includes('"aws:SecureTransport":"false"'),
      );
      expect(denies, `TLS-only policy for ${id}`).toHaveLength(1);
    }
  });

  it("keeps the scheduler DLQ as long as SCHEDULER_DLQ says", () => {
    dev.statefulTemplate.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: names.schedulerDlq("test"),
      MessageRetentionPeriod: SCHEDULER_DLQ.retentionDays * 86_400,
      SqsManagedSseEnabled: true,
    });
  });
});

describe("stateful stack: the token key", () => {
  const keyOf = (stage: SynthesizedStage) =>
    Object.values(resourcesOf(stage.statefulTemplate, "AWS::KMS::Key"));

  it("is one symmetric key per stage with yearly rotation on and the stage alias", () => {
    expect(keyOf(dev)).toHaveLength(1);
    dev.statefulTemplate.hasResourceProperties("AWS::KMS::Key", {
      Description: TOKEN_KEY.description,
      EnableKeyRotation: true,
    });
    dev.statefulTemplate.hasResourceProperties("AWS::KMS::Alias", { AliasName: "alias/herald-test-tokens" });
    prod.statefulTemplate.hasResourceProperties("AWS::KMS::Alias", {
      AliasName: "alias/herald-acme-prod-tokens",
    });
  });

  it("is retained on prod-like stages only", () => {
    prod.statefulTemplate.hasResource("AWS::KMS::Key", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
    dev.statefulTemplate.hasResource("AWS::KMS::Key", { DeletionPolicy: "Delete" });
  });

  it("has a key policy without kms:*: administration, and data keys only with the token context", () => {
    const policy = keyOf(dev)[0]!.Properties!.KeyPolicy as { Statement: Record<string, unknown>[] };
    const actions = policy.Statement.flatMap((st) => asArray(st.Action as string | string[]));
    expect(actions).not.toContain("kms:*");
    expect(actions).not.toContain("*");
    expect(actions).not.toContain("kms:Encrypt");
    const crypto = policy.Statement.filter((st) =>
      asArray(st.Action as string | string[]).some((a) => a === "kms:Decrypt" || a === "kms:GenerateDataKey"),
    );
    expect(crypto).toHaveLength(1);
    expect(asArray(crypto[0]!.Action as string[]).sort()).toEqual([...TOKEN_VAULT_ACTIONS].sort());
    expect(crypto[0]!.Condition).toEqual(TOKEN_VAULT_CONDITIONS);
  });

  it("requires exactly the context keys tenant, connection and purpose", () => {
    expect(TOKEN_VAULT_CONDITIONS).toEqual({
      "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["tenant", "connection", "purpose"] },
      Null: {
        "kms:EncryptionContext:tenant": "false",
        "kms:EncryptionContext:connection": "false",
        "kms:EncryptionContext:purpose": "false",
      },
    });
  });
});

describe("stateful stack: scheduling, bus, secrets", () => {
  it("creates the schedule group, the bus and every secret with their stage names", () => {
    dev.statefulTemplate.hasResourceProperties("AWS::Scheduler::ScheduleGroup", {
      Name: names.scheduleGroup("test"),
    });
    dev.statefulTemplate.hasResourceProperties("AWS::Events::EventBus", { Name: names.bus("test") });
    for (const s of Object.values(SECRETS)) {
      dev.statefulTemplate.hasResourceProperties("AWS::SecretsManager::Secret", {
        Name: names.secret("test", s.id),
        Description: s.description,
      });
    }
  });

  it("retains the schedule group (and with it every pending delivery's schedule) on prod-like stages only", () => {
    const group = (st: SynthesizedStage) =>
      Object.values(st.statefulTemplate.findResources("AWS::Scheduler::ScheduleGroup"))[0] as {
        DeletionPolicy?: string;
      };
    expect(group(prod).DeletionPolicy).toBe("Retain");
    expect(group(dev).DeletionPolicy).toBe("Delete");
  });

  it("keeps the crons DLQ (on-failure destination of the cron functions) encrypted, as long as CRONS_DLQ says", () => {
    for (const st of [dev, prod]) {
      st.statefulTemplate.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: names.cronsDlq(st.stage.name),
        MessageRetentionPeriod: CRONS_DLQ.retentionDays * 86_400,
        SqsManagedSseEnabled: true,
      });
    }
  });

  it("keeps the user pool (with deletion protection) on prod-like stages only", () => {
    const pool = (st: SynthesizedStage) =>
      Object.values(st.statefulTemplate.findResources("AWS::Cognito::UserPool"))[0] as {
        DeletionPolicy?: string;
        Properties: { DeletionProtection?: string; UserPoolName: string };
      };
    expect(pool(prod).DeletionPolicy).toBe("Retain");
    expect(pool(prod).Properties.DeletionProtection).toBe("ACTIVE");
    expect(pool(prod).Properties.UserPoolName).toBe(names.userPool("acme-prod"));
    expect(pool(dev).DeletionPolicy).toBe("Delete");
  });

  it("lets only EventBridge Scheduler assume the scheduler role", () => {
    const roleId = dev.stateful.getLogicalId(dev.stateful.schedulerRole.node.defaultChild as never);
    const role = resourcesOf(dev.statefulTemplate, "AWS::IAM::Role")[roleId]!;
    const trust = (role.Properties!.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Action: "sts:AssumeRole",
      Effect: "Allow",
      Principal: { Service: "scheduler.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
    });
  });

  it("lets the scheduler role send to the publish queue and the scheduler DLQ, and nothing else", () => {
    const roleId = dev.stateful.getLogicalId(dev.stateful.schedulerRole.node.defaultChild as never);
    const publishId = logicalIdBy(
      dev.statefulTemplate,
      "AWS::SQS::Queue",
      "QueueName",
      names.queue("test", "publish"),
    );
    const dlqId = logicalIdBy(
      dev.statefulTemplate,
      "AWS::SQS::Queue",
      "QueueName",
      names.schedulerDlq("test"),
    );
    const policies = Object.entries(resourcesOf(dev.statefulTemplate, "AWS::IAM::Policy")).filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(`"${roleId}"`),
    );
    const statements = policyStatements(dev.statefulTemplate).filter((s) =>
      policies.some(([id]) => id === s.policy),
    );
    const granted = statements.flatMap(({ statement }) =>
      asArray(statement.Resource as unknown).map((r) => ({
        actions: asArray(statement.Action as string | string[]),
        r,
      })),
    );
    expect(granted.map((g) => JSON.stringify(g.r)).sort()).toEqual(
      [
        JSON.stringify({ "Fn::GetAtt": [publishId, "Arn"] }),
        JSON.stringify({ "Fn::GetAtt": [dlqId, "Arn"] }),
      ].sort(),
    );
    for (const g of granted)
      expect(
        g.actions.every(
          (a) => a.startsWith("sqs:Send") || a === "sqs:GetQueueAttributes" || a === "sqs:GetQueueUrl",
        ),
      ).toBe(true);
  });
});
