import { PUBLISH_WORKER } from "../../../schemas/resources.js";
import {
  appCredentialsLoader,
  eventDeps,
  providerConfig,
  tableDeps,
  tokenResolver,
  vaultDeps,
} from "../../connections/wiring.js";
import { dynamodb } from "../../platform/aws/dynamodb.js";
import { eventbridge } from "../../platform/aws/eventbridge.js";
import { scheduler } from "../../platform/aws/scheduler.js";
import { sqs } from "../../platform/aws/sqs.js";
import { configFields, loadConfig } from "../../platform/config.js";
import { logger, metrics } from "../../platform/observability.js";
import { deliveryRepository } from "../../posts/adapters/delivery-repository.js";
import { postRepository } from "../../posts/adapters/post-repository.js";
import { eventBridgeScheduleGateway } from "../../posts/adapters/schedule-gateway.js";
import type { PublishDeps } from "../use-cases/ports.js";
import { breakerPort } from "./breaker.js";
import { createBreakerStore } from "./breaker-store.js";
import { eventBridgePublishEvents } from "./events.js";
import { powertoolsPublishMetrics } from "./metrics.js";
import { providerPublisher } from "./publisher.js";
import { sqsPublishQueue } from "./queue.js";

/** The worker's Lambda timeout (manifest) and its lease, derived from one value in schemas/resources.ts. */
export const PUBLISH_TIMEOUT_SECONDS = PUBLISH_WORKER.timeoutSeconds;
export const PUBLISH_LEASE_MS = PUBLISH_WORKER.leaseMs;

export function publishDeps(overrides: Partial<PublishDeps> = {}) {
  const cfg = loadConfig({
    TABLE_NAME: configFields.required(),
    PUBLISH_QUEUE_URL: configFields.required(),
    PUBLISH_QUEUE_ARN: configFields.required(),
    EVENT_BUS_NAME: configFields.required(),
    SCHEDULE_GROUP_NAME: configFields.required(),
    SCHEDULER_ROLE_ARN: configFields.required(),
    SCHEDULER_DLQ_ARN: configFields.required(),
  });
  const providers = providerConfig();
  const { connections, targets } = tableDeps();
  const queue = sqsPublishQueue(sqs, cfg.PUBLISH_QUEUE_URL);
  const schedules = eventBridgeScheduleGateway(scheduler, {
    groupName: cfg.SCHEDULE_GROUP_NAME,
    publishQueueArn: cfg.PUBLISH_QUEUE_ARN,
    roleArn: cfg.SCHEDULER_ROLE_ARN,
    deadLetterArn: cfg.SCHEDULER_DLQ_ARN,
  });
  const deps: PublishDeps = {
    deliveries: deliveryRepository(dynamodb, cfg.TABLE_NAME),
    posts: postRepository(dynamodb, cfg.TABLE_NAME),
    targets: tokenResolver({ connections, targets, vault: vaultDeps(), events: eventDeps() }),
    publisher: providerPublisher(
      {
        metaGraphUrl: providers.META_GRAPH_URL,
        metaWwwUrl: providers.META_WWW_URL,
        ...(providers.META_GRAPH_VERSION ? { metaVersion: providers.META_GRAPH_VERSION } : {}),
        linkedinApiUrl: providers.LINKEDIN_API_URL,
        linkedinWwwUrl: providers.LINKEDIN_WWW_URL,
        ...(providers.LINKEDIN_VERSION ? { linkedinVersion: providers.LINKEDIN_VERSION } : {}),
      },
      appCredentialsLoader().current,
    ),
    breaker: breakerPort(createBreakerStore()),
    queue,
    rescheduler: {
      // A new at() for the delivery's schedule name, carrying the delivery's new version.
      at: (d, at, correlationId) => schedules.upsert({ ...d, publishAt: at.toISOString() }, correlationId),
    },
    events: eventBridgePublishEvents(eventbridge, cfg.EVENT_BUS_NAME),
    metrics: powertoolsPublishMetrics(metrics),
    log: {
      info: (message, extra) => logger.info(message, extra ?? {}),
      warn: (message, extra) => logger.warn(message, extra ?? {}),
    },
    now: () => new Date(),
    leaseMs: PUBLISH_LEASE_MS,
    ...overrides,
  };
  return { deps, queue };
}
