/**
 * The publish worker's way into the connections context: when a provider refuses a grant, the
 * token resolver flags the connection NEEDS_REAUTH and announces it (ConnectionDisconnected v1,
 * `needs_reauth`) through the same ConnectionEvents port as the refresh cron, so the posts
 * context blocks the targets' other deliveries. Once flagged, nothing is announced twice.
 */
import { describe, expect, it } from "vitest";
import { startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import { tokenResolver } from "../../../functions/connections/use-cases/resolve-target.js";
import { world } from "./in-memory.js";

async function connect(w: ReturnType<typeof world>) {
  const out = await startAuthorization(w.deps, {
    auth: { tenantId: "acme", userId: "user-1", roles: ["admin"] },
    provider: "meta",
    preset: "publish",
    returnUrl: "https://app.acme.test/connections",
  });
  const state = new URL(out.authorizationUrl).searchParams.get("state")!;
  return ((await completeAuthorization(w.deps, "meta", { code: "C", state })) as { connectionId: string })
    .connectionId;
}

describe("token resolver: markNeedsReauth (publish worker, auth error)", () => {
  it("flags the connection and its targets, and announces ConnectionDisconnected needs_reauth once", async () => {
    const w = world();
    const id = await connect(w);
    const resolver = tokenResolver({ ...w.deps, now: () => w.clock.now() });
    const targets = await w.targets.listByConnection("acme", id);
    const page = targets.find((t) => t.kind === "facebook_page")!;
    expect((await resolver.resolve("acme", page.id))?.status).toBe("ACTIVE");

    await resolver.markNeedsReauth("acme", id, "Facebook no longer accepts this token.", "meta:190/460");
    expect((await w.connections.get("acme", id))?.status).toBe("NEEDS_REAUTH");
    expect((await w.targets.listByConnection("acme", id)).every((t) => t.status === "NEEDS_REAUTH")).toBe(
      true,
    );
    expect(w.events.sent).toEqual([
      expect.objectContaining({
        tenantId: "acme",
        connectionId: id,
        provider: "meta",
        targetIds: targets.map((t) => t.id),
        reason: "needs_reauth",
        why: "Facebook no longer accepts this token.",
      }),
    ]);
    expect(await resolver.resolve("acme", page.id)).toMatchObject({ status: "NEEDS_REAUTH" });
    expect((await resolver.resolve("acme", page.id))?.token).toBeUndefined();

    // Another worker hitting the same refusal: already flagged, nothing more to announce.
    await resolver.markNeedsReauth("acme", id, "again", "meta:190/460");
    expect(w.events.sent).toHaveLength(1);
  });
});
