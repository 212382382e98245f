/**
 * The publishing context's composition root: configuration read once at cold start, the shared
 * SDK clients, and the adapters behind the publish use case's ports. The only publishing file
 * that imports another context's adapters: the posts repositories and the one scheduler gateway
 * (`schedulerGateway`), the connections target resolver.
 */
import { ENV } from "../../schemas/env.js";
import { PUBLISH_WORKER } from "../../schemas/resources.js";
import { appCredentialsLoader, providerConfig, targetResolver } from "../connections/wiring.js";
import { dynamodb } from "../platform/aws/dynamodb.js";
import { eventbridge } from "../platform/aws/eventbridge.js";
import { sqs } from "../platform/aws/sqs.js";
import { configFields, loadConfig } from "../platform/config.js";
import { logger, metrics } from "../platform/observability.js";
import { deliveryRepository } from "../posts/adapters/delivery-repository.js";
import { postRepository } from "../posts/adapters/post-repository.js";
import { SCHEDULER_CONFIG, schedulerGateway } from "../posts/adapters/schedule-gateway.js";
import { postsForPublishing } from "../posts/use-cases/aggregate.js";
import { breakerPort } from "./adapters/breaker.js";
import { createBreakerStore } from "./adapters/breaker-store.js";
import { eventBridgePublishEvents } from "./adapters/events.js";
import { powertoolsPublishMetrics } from "./adapters/metrics.js";
import { providerPublisher } from "./adapters/publisher.js";
import { sqsPublishQueue } from "./adapters/queue.js";
import type { PublishDeps } from "./use-cases/ports.js";

/** The worker's Lambda timeout and its lease, both derived from `PUBLISH_WORKER` (schemas/resources.ts). */
export const PUBLISH_TIMEOUT_SECONDS = PUBLISH_WORKER.timeoutSeconds;
export const PUBLISH_LEASE_MS = PUBLISH_WORKER.leaseMs;

export function publishDeps(overrides: Partial<PublishDeps> = {}) {
  const cfg = loadConfig({
    TABLE_NAME: configFields.required(),
    PUBLISH_QUEUE_URL: configFields.required(),
    EVENT_BUS_NAME: configFields.required(),
    ...SCHEDULER_CONFIG,
  });
  const providers = providerConfig();
  const queue = sqsPublishQueue(sqs, cfg.PUBLISH_QUEUE_URL);
  const schedules = schedulerGateway(cfg);
  const log = {
    info: (message: string, extra?: Record<string, unknown>) => logger.info(message, extra ?? {}),
    warn: (message: string, extra?: Record<string, unknown>) => logger.warn(message, extra ?? {}),
  };
  // Posts' items through the port the posts context implements (one ledger rule, one post aggregate).
  const items = postsForPublishing({
    posts: postRepository(dynamodb, cfg.TABLE_NAME),
    deliveries: deliveryRepository(dynamodb, cfg.TABLE_NAME),
    now: () => new Date(),
    log,
  });
  const deps: PublishDeps = {
    deliveries: items.deliveries,
    posts: items.posts,
    targets: targetResolver(),
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
    log,
    now: () => new Date(),
    leaseMs: PUBLISH_LEASE_MS,
    versionSettings: { metaGraphVersion: ENV.META_GRAPH_VERSION, linkedinVersion: ENV.LINKEDIN_VERSION },
    ...overrides,
  };
  return { deps, queue };
}
