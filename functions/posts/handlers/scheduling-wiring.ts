/**
 * The schedule gateway for functions with the manifest's `scheduler` binding: the stage's
 * group, the publish queue as target, the scheduler role and its DLQ, read at cold start.
 */
import { scheduler } from "../../platform/aws/scheduler.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { eventBridgeScheduleGateway } from "../adapters/schedule-gateway.js";
import type { ScheduleGateway } from "../use-cases/ports.js";

export function schedulerGateway(): ScheduleGateway {
  const s = loadConfig({
    SCHEDULE_GROUP_NAME: configFields.required(),
    PUBLISH_QUEUE_ARN: configFields.required(),
    SCHEDULER_ROLE_ARN: configFields.required(),
    SCHEDULER_DLQ_ARN: configFields.required(),
  });
  return eventBridgeScheduleGateway(scheduler, {
    groupName: s.SCHEDULE_GROUP_NAME,
    publishQueueArn: s.PUBLISH_QUEUE_ARN,
    roleArn: s.SCHEDULER_ROLE_ARN,
    deadLetterArn: s.SCHEDULER_DLQ_ARN,
  });
}
