/**
 * Powertools Logger and Metrics, built once per cold start and shared by every handler.
 * The logger's service name is the function's (`POWERTOOLS_SERVICE_NAME`, set per function by
 * CDK); the metrics' namespace and `service` dimension are Herald's one declared metric
 * identity (`METRICS` in schemas/resources.ts), never the function name, so the alarms and
 * dashboards that ask for `service=herald` see every function's metrics.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { METRICS } from "../../schemas/resources.js";
import { configFields, loadConfig } from "./config.js";

const { POWERTOOLS_SERVICE_NAME } = loadConfig({ POWERTOOLS_SERVICE_NAME: configFields.optional() });

export const logger = new Logger({ serviceName: POWERTOOLS_SERVICE_NAME ?? METRICS.service });

export const metrics = new Metrics({
  // Explicit options win over POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME.
  namespace: METRICS.namespace,
  serviceName: METRICS.service,
  // The Metrics utility's own notices ("no application metrics to publish" after every
  // request that recorded none) go to our JSON logger at debug level, not to stdout.
  logger: {
    trace: (...args: unknown[]) => logger.trace(String(args[0])),
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.debug(String(args[0])),
    warn: (...args: unknown[]) => logger.debug(String(args[0])),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});

export { MetricUnit } from "@aws-lambda-powertools/metrics";

/** The header that carries a request's correlation id, in and out. */
export const CORRELATION_HEADER = "x-correlation-id";
/** The SQS message attribute that carries it into workers. */
export const CORRELATION_ATTRIBUTE = "correlationId";

/** Accept a caller's id when it is printable and short; otherwise make one. */
export const correlationIdFrom = (candidate: string | undefined): string =>
  candidate && /^[A-Za-z0-9._:-]{1,128}$/.test(candidate) ? candidate : crypto.randomUUID();
