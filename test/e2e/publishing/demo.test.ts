/**
 * `npm run demo` as a test: the same walk-through (connect both providers → post → approve →
 * schedule → published) against the test stack, with a short lead. It must end with every
 * delivery PUBLISHED, the post PUBLISHED, a ledger per delivery, and exactly one post and one
 * first comment per target in the sandbox's publication log.
 */
import { describe, expect, it } from "vitest";
import { runDemo } from "../../../bin/demo.js";
import { scheduleLeadMs, stackInfo } from "../../support/stack.js";

describe("npm run demo", () => {
  it("walks from connecting the accounts to three published posts, printing each step", async () => {
    const lines: string[] = [];
    const result = await runDemo(stackInfo(), {
      leadSeconds: scheduleLeadMs() / 1000,
      print: (l) => lines.push(l),
      timeoutMs: 90_000,
    });
    expect(result.postStatus).toBe("PUBLISHED");
    expect(result.deliveries).toHaveLength(3);
    for (const d of result.deliveries) {
      expect(d.status, JSON.stringify(d.ledger)).toBe("PUBLISHED");
      expect(d.permalink).toMatch(/^https:\/\//);
      expect(d.ledger.map((e) => e.event)).toEqual(
        expect.arrayContaining(["scheduled", "claimed", "published"]),
      );
    }
    const posts = result.published.filter((p) => !p.kind.includes("comment"));
    const comments = result.published.filter((p) => p.kind.includes("comment"));
    expect(posts).toHaveLength(3);
    expect(comments).toHaveLength(3);
    expect(new Set(posts.map((p) => p.target)).size).toBe(3);
    const text = lines.join("\n");
    for (const heading of [
      "1. Connect",
      "2. An editor writes",
      "3. The editor submits",
      "4. The Scheduler fires",
      "5. The ledgers",
      "6. What the providers show",
    ]) {
      expect(text).toContain(heading);
    }
    for (const d of result.deliveries) expect(text).toContain(d.permalink!);
  });
});
