/**
 * The posts context's composition root: configuration read once at cold start (`loadConfig`),
 * the shared SDK clients from functions/platform/aws, and the adapters behind the use-case
 * ports. The only posts file that imports another context's adapters (the tenants settings
 * repository behind posts' `SettingsReader` port).
 *
 * Only functions with the manifest's `scheduler` binding ask for the schedule gateway
 * (`{ scheduler: true }`), so the others neither read the Scheduler's variables nor reach it.
 */
import { ENV } from "../../schemas/env.js";
import * as z from "../../schemas/zod.js";
import { dynamodb } from "../platform/aws/dynamodb.js";
import { configFields, loadConfig } from "../platform/config.js";
import { dynamoIdempotencyStore } from "../platform/idempotency.js";
import { newId } from "../platform/keys.js";
import { logger } from "../platform/observability.js";
import { settingsRepository } from "../tenants/adapters/settings-repository.js";
import { deliveryRepository } from "./adapters/delivery-repository.js";
import { fetchMediaInspector, parseAllowlist } from "./adapters/media-inspector.js";
import { postRepository } from "./adapters/post-repository.js";
import { SCHEDULER_CONFIG, schedulerGateway } from "./adapters/schedule-gateway.js";
import { dynamoTargetLookup } from "./adapters/target-lookup.js";
import type { PostsDeps, PostsLog, ScheduleGateway } from "./use-cases/ports.js";

/** A function without the scheduler binding must never reach the Scheduler. */
const noScheduler: ScheduleGateway = {
  upsert: () =>
    Promise.reject(new Error(`This function has no scheduler binding (${ENV.SCHEDULE_GROUP_NAME} unset)`)),
  remove: () =>
    Promise.reject(new Error(`This function has no scheduler binding (${ENV.SCHEDULE_GROUP_NAME} unset)`)),
};

/** Powertools logger behind the use cases' log port. */
export const postsLog: PostsLog = {
  warn: (message, extra) => logger.warn(message, extra ?? {}),
};

const positive = (fallback: number) => z.pipe(configFields.int(fallback), z.number().check(z.minimum(0)));

export function postsWiring(options: { scheduler?: boolean } = {}) {
  const config = loadConfig({
    TABLE_NAME: configFields.required(),
    MEDIA_HOST_ALLOWLIST: configFields.optional(),
    MIN_SCHEDULE_LEAD_SECONDS: positive(60),
    SCHEDULE_HORIZON_DAYS: positive(365),
  });
  const schedules = options.scheduler ? schedulerGateway(loadConfig(SCHEDULER_CONFIG)) : noScheduler;
  const table = config.TABLE_NAME;
  const deps: PostsDeps = {
    posts: postRepository(dynamodb, table),
    deliveries: deliveryRepository(dynamodb, table),
    targets: dynamoTargetLookup(dynamodb, table),
    media: fetchMediaInspector({ allowlist: parseAllowlist(config.MEDIA_HOST_ALLOWLIST) }),
    schedules,
    settings: settingsRepository(dynamodb, table),
    log: postsLog,
    now: () => new Date(),
    newId,
    limits: { minLeadSeconds: config.MIN_SCHEDULE_LEAD_SECONDS, horizonDays: config.SCHEDULE_HORIZON_DAYS },
  };
  const idempotency = dynamoIdempotencyStore(dynamodb, table);
  return { deps, idempotency: () => idempotency };
}
