/**
 * The publish worker: SQS batches of PublishRequested v1 from the publish queue (fed by the
 * Scheduler's at() schedules and by the worker itself for delayed next steps), one use-case
 * call per record, partial batch failures reported.
 */
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";
import { sqsHandler } from "../../platform/batch.js";
import type { PublishDeps } from "../use-cases/ports.js";
import { DeadLetterError, handlePublishRequested } from "../use-cases/publish-delivery.js";
import { publishDeps } from "../wiring.js";

/** The middy chain around the use case (exported so tests can run it with other deps). */
export function createPublishHandler(
  deps: PublishDeps,
  queue: { releaseNow(receiptHandle: string): Promise<void> },
) {
  return sqsHandler(
    PublishRequestedV1.schema,
    async (message, ctx) => {
      try {
        await handlePublishRequested({ ...deps, log: ctx.log }, message.data, {
          messageId: ctx.messageId,
          correlationId: ctx.correlationId,
          receiveCount: ctx.receiveCount,
        });
      } catch (error) {
        // Hand it to the redrive policy without waiting out the visibility timeout each time.
        if (error instanceof DeadLetterError) await queue.releaseNow(ctx.record.receiptHandle);
        throw error;
      }
    },
    { queue: "publish" },
  );
}

const { deps, queue } = publishDeps();

export const handler = createPublishHandler(deps, queue);
