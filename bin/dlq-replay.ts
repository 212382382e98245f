/**
 * `npm run dlq:replay`: replay the messages of one dead-letter queue to where they were going
 * (docs/runbooks/dlq-not-empty.md). Each message is deleted from the DLQ only after its replay
 * succeeded.
 *
 *   npm run dlq:replay -- --stage prod --queue scheduler --dry-run
 *   npm run dlq:replay -- --stage prod --queue events --max 20
 *   npm run dlq:replay -- --local --queue publish          (the running `npm start`)
 *
 * `--stage <name>`: AWS, with the SDK's usual credentials, region and `AWS_ENDPOINT_URL_*`;
 * physical names come from `names` in schemas/resources.ts. `--local`: the endpoints and names
 * of the running local stack (`.herald/local.json`, or `$HERALD_LOCAL_DIR/local.json`).
 * Exits 1 when a message could not be replayed (it stays in the DLQ), 2 on a usage error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  awsReplayTargets,
  sqsDeadLetterSource,
} from "../functions/operations/adapters/dead-letter-queues.js";
import {
  DEAD_LETTER_QUEUES,
  type DeadLetterQueueId,
  type ReplayReport,
  replayDeadLetters,
} from "../functions/operations/use-cases/replay-dead-letters.js";
import { LOCAL_DIR_ENV, type LocalStackInfo } from "../local/stack/info.js";
import { names } from "../schemas/resources.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const USAGE =
  "usage: npm run dlq:replay -- --queue scheduler|events|publish|webhook (--stage <name> | --local) [--max N] [--dry-run] [--json]";

/** Where the DLQ, the queues and the bus of one stage are, and the clients to reach them. */
export interface ReplayEnvironment {
  readonly sqs: SQSClient;
  readonly eventbridge: EventBridgeClient;
  readonly dlqUrl: string;
  readonly queueUrls: Readonly<Record<"publish" | "webhook", string>>;
  readonly busName: string;
  readonly describe: string;
}

const DLQ_KEYS: Record<DeadLetterQueueId, string> = {
  publish: "publishDlq",
  webhook: "webhookDlq",
  scheduler: "schedulerDlq",
  events: "eventsDlq",
};

/** The physical DLQ name of `queue` in `stage`. */
export function dlqName(stage: string, queue: DeadLetterQueueId): string {
  if (queue === "scheduler") return names.schedulerDlq(stage);
  if (queue === "events") return names.eventsDlq(stage);
  return names.dlq(stage, queue);
}

/** AWS (or whatever `AWS_ENDPOINT_URL_*` points at): names from the stage, URLs from GetQueueUrl. */
export async function stageEnvironment(stage: string, queue: DeadLetterQueueId): Promise<ReplayEnvironment> {
  const sqs = new SQSClient({});
  const eventbridge = new EventBridgeClient({});
  const url = async (name: string) => {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (!out.QueueUrl) throw new Error(`queue ${name} not found`);
    return out.QueueUrl;
  };
  const [dlqUrl, publish, webhook] = await Promise.all([
    url(dlqName(stage, queue)),
    url(names.queue(stage, "publish")),
    url(names.queue(stage, "webhook")),
  ]);
  return {
    sqs,
    eventbridge,
    dlqUrl,
    queueUrls: { publish, webhook },
    busName: names.bus(stage),
    describe: `stage ${stage}`,
  };
}

/** The running local stack, from its local.json. */
export function localEnvironment(info: LocalStackInfo, queue: DeadLetterQueueId): ReplayEnvironment {
  const config = {
    region: info.aws.region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const { queues } = info.resources;
  const need = (key: string) => {
    const u = queues[key];
    if (!u) throw new Error(`the local stack has no queue ${key}`);
    return u;
  };
  return {
    sqs: new SQSClient({ ...config, endpoint: info.aws.sqs }),
    eventbridge: new EventBridgeClient({ ...config, endpoint: info.aws.eventbridge }),
    dlqUrl: need(DLQ_KEYS[queue]),
    queueUrls: { publish: need("publish"), webhook: need("webhook") },
    busName: info.resources.bus,
    describe: `local stack (stage ${info.resources.stage})`,
  };
}

/** Runs one replay in `env` and closes its clients. */
export async function replay(
  env: ReplayEnvironment,
  opts: { queue: DeadLetterQueueId; max?: number; dryRun?: boolean },
): Promise<ReplayReport> {
  try {
    return await replayDeadLetters(
      {
        source: sqsDeadLetterSource(env.sqs, env.dlqUrl),
        targets: awsReplayTargets({
          sqs: env.sqs,
          eventbridge: env.eventbridge,
          queueUrls: env.queueUrls,
          busName: env.busName,
        }),
      },
      opts,
    );
  } finally {
    env.sqs.destroy();
    env.eventbridge.destroy();
  }
}

function printReport(report: ReplayReport, where: string): void {
  const verb = report.dryRun ? "would replay" : "replayed";
  for (const m of report.messages) {
    console.log(
      `${m.outcome.padEnd(13)} ${m.messageId}${m.to ? ` → ${m.to}` : ""}${m.reason ? `  (${m.reason})` : ""}`,
    );
  }
  const done = report.dryRun
    ? report.messages.filter((m) => m.outcome === "would-replay").length
    : report.replayed;
  console.log(
    `${report.queue} DLQ of the ${where}: ${report.examined} examined, ${done} ${verb}, ${report.failed} left in the DLQ with an error`,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      queue: { type: "string" },
      stage: { type: "string" },
      local: { type: "boolean", default: false },
      max: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const queue = values.queue as DeadLetterQueueId | undefined;
  if (!queue || !DEAD_LETTER_QUEUES.includes(queue)) {
    console.error(`--queue must be one of ${DEAD_LETTER_QUEUES.join(", ")}\n${USAGE}`);
    return 2;
  }
  if (Boolean(values.stage) === values.local) {
    console.error(`give exactly one of --stage <name> (AWS) and --local (the running local stack)\n${USAGE}`);
    return 2;
  }
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    console.error(`--max must be a positive integer, got ${values.max}`);
    return 2;
  }
  let env: ReplayEnvironment;
  if (values.local) {
    const dir = process.env[LOCAL_DIR_ENV] ?? join(fileURLToPath(new URL("..", import.meta.url)), ".herald");
    const file = join(dir, "local.json");
    let info: LocalStackInfo;
    try {
      info = JSON.parse(readFileSync(file, "utf8")) as LocalStackInfo;
    } catch {
      console.error(`No local stack is running (${file} is missing or empty). Start one with npm start.`);
      return 2;
    }
    env = localEnvironment(info, queue);
  } else {
    env = await stageEnvironment(values.stage!, queue);
  }
  const where = env.describe;
  const report = await replay(env, { queue, max, dryRun: values["dry-run"] });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, where);
  return report.failed > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(
        `dlq:replay failed: ${error instanceof Error ? `${error.name}: ${error.message}` : error}`,
      );
      process.exit(1);
    },
  );
}
