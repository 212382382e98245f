/**
 * One EventBridge Scheduler `at()` schedule per delivery, in the stage's group. At its time
 * the Scheduler sends the PublishRequested v1 event to the publish queue (assuming the
 * scheduler role), retries per the RetryPolicy, then dead-letters to the scheduler DLQ; the
 * schedule deletes itself after firing (ActionAfterCompletion DELETE).
 *
 * `upsert` is idempotent: create, and on "already exists" update (UpdateSchedule replaces the
 * whole schedule, so every field is sent every time); an update of a schedule that already
 * fired and deleted itself becomes a create.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { scheduler } from "../../platform/aws/scheduler.js";
import { configFields } from "../../platform/config.js";
import type { Delivery } from "../domain/post.js";
import type { ScheduleGateway } from "../use-cases/ports.js";

export interface ScheduleTargetConfig {
  readonly groupName: string;
  readonly publishQueueArn: string;
  readonly roleArn: string;
  readonly deadLetterArn: string;
}

/** Retry for up to an hour: a publish that late is better failed visibly (DLQ) than posted. */
export const SCHEDULE_RETRY = { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 } as const;

/** `at(2026-11-26T12:34:56)`: the Scheduler's one-time expression, in UTC. */
export const atExpression = (publishAtIso: string) =>
  `at(${new Date(publishAtIso).toISOString().slice(0, 19)})`;

export function scheduleInput(
  d: Delivery,
  config: ScheduleTargetConfig,
  correlationId: string,
  now: () => Date = () => new Date(),
): CreateScheduleCommandInput {
  const event = PublishRequestedV1.create(
    { tenantId: d.tenantId, deliveryId: d.id, version: d.version },
    // A stable id per delivery version lets the worker dedupe Scheduler retries.
    { correlationId, id: `${d.id}.v${d.version}`, occurredAt: now().toISOString() },
  );
  return {
    Name: d.scheduleName,
    GroupName: config.groupName,
    Description: `Publish delivery ${d.id} of post ${d.postId} (tenant ${d.tenantId})`,
    ScheduleExpression: atExpression(d.publishAt),
    ScheduleExpressionTimezone: "UTC",
    FlexibleTimeWindow: { Mode: "OFF" },
    ActionAfterCompletion: "DELETE",
    State: "ENABLED",
    Target: {
      Arn: config.publishQueueArn,
      RoleArn: config.roleArn,
      Input: JSON.stringify(event),
      RetryPolicy: { ...SCHEDULE_RETRY },
      DeadLetterConfig: { Arn: config.deadLetterArn },
    },
  };
}

export function eventBridgeScheduleGateway(
  client: SchedulerClient,
  config: ScheduleTargetConfig,
): ScheduleGateway {
  return {
    async upsert(d, correlationId) {
      const input = scheduleInput(d, config, correlationId);
      try {
        await client.send(new CreateScheduleCommand(input));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        try {
          await client.send(new UpdateScheduleCommand(input));
        } catch (updateError) {
          // Fired and deleted itself between the two calls: create it again.
          if (!(updateError instanceof ResourceNotFoundException)) throw updateError;
          await client.send(new CreateScheduleCommand(input));
        }
      }
    },
    async remove(d) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: d.scheduleName, GroupName: config.groupName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

/** The variables of the manifest's `scheduler` binding, read by every wiring that builds the gateway. */
export const SCHEDULER_CONFIG = {
  SCHEDULE_GROUP_NAME: configFields.required(),
  PUBLISH_QUEUE_ARN: configFields.required(),
  SCHEDULER_ROLE_ARN: configFields.required(),
  SCHEDULER_DLQ_ARN: configFields.required(),
} as const;

/**
 * The one EventBridge Scheduler gateway (the stage's group, the publish queue as target, the
 * scheduler role and its DLQ), built from config read with `SCHEDULER_CONFIG` by the context's wiring. Posts
 * (schedule, reschedule, cancel, unblock) and publishing (long waits) both use it.
 */
export function schedulerGateway(cfg: {
  SCHEDULE_GROUP_NAME: string;
  PUBLISH_QUEUE_ARN: string;
  SCHEDULER_ROLE_ARN: string;
  SCHEDULER_DLQ_ARN: string;
}): ScheduleGateway {
  return eventBridgeScheduleGateway(scheduler, {
    groupName: cfg.SCHEDULE_GROUP_NAME,
    publishQueueArn: cfg.PUBLISH_QUEUE_ARN,
    roleArn: cfg.SCHEDULER_ROLE_ARN,
    deadLetterArn: cfg.SCHEDULER_DLQ_ARN,
  });
}
