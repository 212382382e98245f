/**
 * The runbooks' commands work: every ```sh block of docs/runbooks/*.md runs with bash against
 * the test stack, through Debian's AWS CLI 2.9 (`/usr/bin/aws`, what `.ci/run` installs) and
 * `npm run`, and must exit 0.
 *
 * - `<stage>` is replaced by the stack's stage; credentials are dummies.
 * - The CLI 2.9 ignores `AWS_ENDPOINT_URL*`, so `aws` is a shell function that adds the
 *   service's local `--endpoint-url`; npm scripts (SDK v3) get `AWS_ENDPOINT_URL_<SERVICE>`.
 * - A block whose first line is `# aws-only: <reason>` is not run (services the local stack
 *   does not emulate: CloudWatch Logs, IAM); it must not use SQS, Scheduler, EventBridge or
 *   Secrets Manager, which are emulated, so those commands always run here.
 * - Before each block one message waits in the scheduler DLQ and one in the events DLQ, so
 *   the read, replay and purge commands have something to work on.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PurgeQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../../functions/manifest.js";
import { stackInfo } from "../../support/stack.js";
import { AWS_CLI, awsCliEnv, cliTestTimeoutMs } from "../emulators/aws-cli.js";

const REPO = join(import.meta.dirname, "../../..");
const DIR = join(REPO, "docs/runbooks");
const AWS_ONLY = /^# aws-only: (.+)$/;
const EMULATED = /\baws\s+(sqs|scheduler|events|secretsmanager)\b/;
/**
 * Deadline of one block: the longest (the depth of four queues) makes 9 CLI calls, and an
 * `npm run dlq:replay` costs about as much as two.
 */
const BLOCK_TIMEOUT_MS = cliTestTimeoutMs(12);

interface Block {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly skipReason?: string;
}

/** The ```sh blocks of a markdown file (fences may be indented inside list items). */
function shellBlocks(file: string, text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```sh\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    const first = body[0] ?? "";
    const skip = AWS_ONLY.exec(first);
    out.push({ file, line: start, code: body.join("\n"), ...(skip ? { skipReason: skip[1]! } : {}) });
  }
  return out;
}

const blocks = readdirSync(DIR)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .flatMap((f) => shellBlocks(f, readFileSync(join(DIR, f), "utf8")));
const runnable = blocks.filter((b) => !b.skipReason);

let sqs: SQSClient;
beforeAll(async () => {
  const { aws, resources } = stackInfo();
  sqs = new SQSClient({
    region: aws.region,
    endpoint: aws.sqs,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  for (const key of ["schedulerDlq", "eventsDlq", "publishDlq"])
    await sqs.send(new PurgeQueueCommand({ QueueUrl: resources.queues[key] }));
});
afterAll(async () => {
  // Leave no seeded dead letter behind for the test files that read these DLQs after this one.
  const { resources } = stackInfo();
  for (const key of ["schedulerDlq", "eventsDlq", "publishDlq"])
    await sqs?.send(new PurgeQueueCommand({ QueueUrl: resources.queues[key] })).catch(() => undefined);
  sqs?.destroy();
});

/** One dead letter in the scheduler DLQ and one in the events DLQ, harmless to replay. */
async function seedDeadLetters(): Promise<void> {
  const { resources } = stackInfo();
  const id = randomUUID().slice(0, 8);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: resources.queues.schedulerDlq,
      MessageBody: JSON.stringify({
        metadata: { id: randomUUID(), name: "PublishRequested", version: 1, correlationId: `runbook-${id}` },
        data: { tenantId: `runbook-${id}`, deliveryId: `dlv_runbook_${id}`, version: 1 },
      }),
      MessageAttributes: { ERROR_CODE: { DataType: "String", StringValue: "AccessDenied" } },
    }),
  );
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: resources.queues.eventsDlq,
      MessageBody: JSON.stringify({
        version: "0",
        id: randomUUID(),
        "detail-type": "RunbookCheck",
        source: "herald.runbook",
        account: "000000000000",
        time: new Date().toISOString(),
        region: "us-east-1",
        resources: [],
        detail: { metadata: { version: 1 }, data: { id } },
      }),
    }),
  );
}

function runBlock(code: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { aws, resources } = stackInfo();
  const preamble = `set -euo pipefail
aws() {
  local ep
  case "$1" in
    sqs) ep="${aws.sqs}" ;;
    events) ep="${aws.eventbridge}" ;;
    scheduler) ep="${aws.scheduler}" ;;
    secretsmanager) ep="${aws.secretsmanager}" ;;
    *) echo "runbook test: 'aws $1' is not emulated locally; start the block with '# aws-only: <reason>'" >&2; return 97 ;;
  esac
  ${AWS_CLI} --endpoint-url "$ep" "$@"
}
`;
  const script = preamble + code.replaceAll("<stage>", resources.stage);
  const env = {
    ...awsCliEnv({
      AWS_REGION: aws.region,
      AWS_ENDPOINT_URL_SQS: aws.sqs,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.eventbridge,
      AWS_ENDPOINT_URL_SCHEDULER: aws.scheduler,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.secretsmanager,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    }),
    // npm and node for `npm run …` lines.
    PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`,
  };
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["-c", script],
      { cwd: REPO, env, timeout: BLOCK_TIMEOUT_MS },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("runbook commands", () => {
  it("has runnable blocks, and every skipped block says why and uses no emulated service", () => {
    expect(runnable.length).toBeGreaterThan(5);
    for (const b of blocks.filter((x) => x.skipReason)) {
      expect(b.skipReason!.length, `${b.file}:${b.line}`).toBeGreaterThan(10);
      expect(b.code, `${b.file}:${b.line} skips a command the local stack can run`).not.toMatch(EMULATED);
    }
  });

  it("names only log groups of real functions: /aws/lambda/herald-<stage>-<function of the manifest>", () => {
    const functionNames = new Set(FUNCTIONS.map((f) => f.name));
    const named = readdirSync(DIR)
      .filter((f) => f.endsWith(".md"))
      .flatMap((f) =>
        [
          ...readFileSync(join(DIR, f), "utf8").matchAll(
            /\/aws\/lambda\/herald-(?:<stage>|\$STAGE)-([a-z0-9-]+)/g,
          ),
        ].map((m) => [f, m[1]!] as const),
      );
    expect(named.length).toBeGreaterThan(2);
    for (const [file, fn] of named)
      expect(functionNames, `${file} names /aws/lambda/herald-<stage>-${fn}`).toContain(fn);
  });

  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))(
    "%s exits 0 against the local stack",
    { timeout: BLOCK_TIMEOUT_MS + 30_000 },
    async (_name, block) => {
      await seedDeadLetters();
      const r = await runBlock(block.code);
      expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    },
  );
});
