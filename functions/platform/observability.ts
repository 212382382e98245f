/**
 * Powertools Logger and Metrics, built once per cold start and shared by every handler.
 * Service name and namespace come from the standard Powertools environment variables.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE } from "../../schemas/env.js";

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "herald" });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "herald",
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
