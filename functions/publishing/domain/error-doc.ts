/**
 * Renders `docs/publishing-errors.md` from `ERROR_RULES`, so the doc cannot drift from the
 * table: `test/unit/publishing/error-doc.test.ts` compares the file with this output
 * (`npx vitest run --project unit test/unit/publishing/error-doc.test.ts --update` rewrites it).
 */
import {
  classifyProviderError,
  ERROR_RULES,
  type ErrorRule,
  type VersionSettings,
} from "./provider-errors.js";
import { RETRY_POLICIES } from "./retry-policy.js";

const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function matchText(rule: ErrorRule): string {
  return rule.when
    .map((m) => {
      const parts: string[] = [];
      if (m.network) parts.push(`network ${m.network.join("/")}`);
      if (m.httpStatus) parts.push(`HTTP ${m.httpStatus.join("/")}`);
      if (m.codes) parts.push(`code ${m.codes.join("/")}`);
      if (m.codeRange) parts.push(`code ${m.codeRange[0]}–${m.codeRange[1]}`);
      if (m.subcodes) parts.push(`subcode ${m.subcodes.join("/")}`);
      if (m.noCode) parts.push("no body code");
      return parts.join(", ");
    })
    .join(" · or ");
}

const ms = (v: number) => (v >= 60_000 ? `${v / 60_000} min` : `${v / 1000} s`);

/** The whole document. */
export function renderPublishingErrorsDoc(versionSettings?: VersionSettings): string {
  const now = new Date("2026-01-15T10:00:00.000Z");
  const section = (title: string, rows: readonly ErrorRule[]) => {
    const lines = [
      `## ${title}`,
      "",
      "| row | matches | provider meaning | class | retry | action | wait | message (sample) |",
      "|---|---|---|---|---|---|---|---|",
    ];
    for (const r of rows) {
      const c = classifyProviderError(r.sample, { now, ...(versionSettings ? { versionSettings } : {}) });
      lines.push(
        `| \`${r.id}\` | ${esc(matchText(r))} | ${esc(r.meaning)} | ${r.class} | ${r.retry} | ${r.action} | ${esc(
          r.waitNote ?? "",
        )} | ${esc(c.message)} |`,
      );
    }
    return lines.join("\n");
  };

  const policies = Object.entries(RETRY_POLICIES)
    .map(
      ([p, v]) =>
        `| ${p} | ${v.maxAttempts} | ${ms(v.baseMs)} | ${ms(v.capMs)} | ${v.maxWindowWaits} | ${ms(v.windowSpreadMs)} | ${ms(v.shortWaitMaxMs)} |`,
    )
    .join("\n");

  return `# Publishing errors

<!-- Generated from functions/publishing/domain/provider-errors.ts (ERROR_RULES) by
     functions/publishing/domain/error-doc.ts. Do not edit by hand: change the table, then run
     npx vitest run --project unit test/unit/publishing/error-doc.test.ts --update -->

Every failed call to Meta or LinkedIn is classified by one table into a **class**, a **retry**
mode and an **action**, with a sentence a person can act on. The delivery stores that
classification and the provider's raw answer.

How a row is chosen: the most specific matching row wins (a subcode beats a code, a code beats
an HTTP status). Meta rows match the body's \`code\`/\`error_subcode\`, never the HTTP status
alone: Meta answers almost every error with HTTP 400. An HTTP status is used for Meta only when
the body carried no code at all. An Instagram container that ended in \`ERROR\` is classified by
the subcode in its \`status\` sentence (\`/error code (\\d+)/\`). LinkedIn rows match the HTTP
status, \`serviceErrorCode\` and the symbolic \`code\` (top level or
\`errorDetails.inputErrors[].code\`).

| class | what it means | what happens |
|---|---|---|
| transient | the provider or the network failed briefly | retried with backoff and full jitter on the queue; after the policy's attempts the delivery fails with the message |
| rate_limited | the provider throttles the app or the target | waits until the window frees (short waits on the queue, long ones through the Scheduler); feeds the circuit breaker |
| quota | a publishing quota is spent (Instagram's posts per 24 h) | the delivery is moved to when a slot frees and the ledger says so |
| auth | the grant is gone or lacks a permission | the connection is flagged and the delivery fails with "reconnect" |
| content | the post itself is refused | the delivery fails; the person edits and schedules again |
| duplicate | the provider says the post already exists | the existing post is adopted (LinkedIn names its URN; Facebook: recent posts matched by content) |
| config | Herald's own configuration is wrong (API version, app capability) | retried with backoff, then left in the dead-letter queue for replay after an operator fixes it |
| unknown | nothing in the table matched | retried with backoff, then left in the dead-letter queue |

A LinkedIn \`65601\` (revoked) within 10 minutes of consent is retried once as transient:
LinkedIn has been seen reporting a fresh token as revoked for a moment.

## What a delivery shows

A failure is stored with its \`class\`, \`code\`, \`message\` and \`action\` (and \`providerCode\`,
the matching \`rule\`, \`waitUntil\` when it waits). \`code\` is the provider's own code as the
provider reported it: Meta \`code/subcode\` (\`9004/2207052\`); the subcode alone when that is all
there is — an Instagram container in \`ERROR\` reports only a subcode, so it reads \`2207026\`
(\`providerCode\` \`meta 2207026\`), never a pair with a made-up half; LinkedIn's
\`serviceErrorCode\` and symbolic code (\`65601 REVOKED_ACCESS_TOKEN\`); \`HTTP 502\` when the answer
carried no code; \`network timeout\` when there was no answer.

A failure about one media item names it, by position and URL, at the start of the message:
a container refused at creation, a container that ended in \`ERROR\` (for a carousel, the child
whose own container failed: its status is read to find it), a Facebook photo refused at upload.
The item is named for the rows about media (${ERROR_RULES.filter((r) => r.mediaItem)
    .map((r) => `\`${r.id}\``)
    .join(", ")}), for a container in \`ERROR\` whatever its code, and for an unknown failure; a
failure that is not the item's fault (an expired token met while uploading it) does not name it.
For example: "${
    classifyProviderError({
      ...(ERROR_RULES.find((r) => r.id === "ig-media-url")?.sample ?? { provider: "meta" }),
      media: { position: 2, count: 3, url: "https://cdn.example/b.jpg", carouselChild: true },
    }).message
  }"

## Retry policies

Backoff is full jitter: \`random(0, min(cap, base · 2^attempt))\`. Waits up to the short-wait
limit stay on the SQS message (a delay, at most 15 minutes, or its visibility, at most 12 hours);
longer ones are rescheduled through EventBridge Scheduler, spread by up to the window spread so
deliveries that met the same reset do not all fire at once.

| provider | max attempts | base | cap | max window waits | window spread | short-wait limit |
|---|---|---|---|---|---|---|
${policies}

${section(
  "Either provider",
  ERROR_RULES.filter((r) => r.provider === "any"),
)}

${section(
  "Meta (Facebook Pages, Instagram)",
  ERROR_RULES.filter((r) => r.provider === "meta"),
)}

${section(
  "LinkedIn",
  ERROR_RULES.filter((r) => r.provider === "linkedin"),
)}

## Anything else

Row \`unknown\`: class unknown, retry backoff, action retry — "${classifyProviderError({ provider: "meta", httpStatus: 400, code: 987654 }).message}"
`;
}
