/**
 * The publish worker's way into the connections context: when a provider refuses a grant, the
 * token resolver flags the connection NEEDS_REAUTH and announces it (ConnectionDisconnected v1,
 * `needs_reauth`) through the same ConnectionEvents port as the refresh cron, so the posts
 * context blocks the targets' other deliveries. Once flagged, nothing is announced twice.
 * A stored token that cannot be decrypted does the same at once, and says so with
 * TargetUnusableError (reconnect); an unusable token key says contact_support and flags nothing.
 */
import { describe, expect, it } from "vitest";
import { TOKEN_PURPOSE } from "../../../functions/connections/domain/connection.js";
import { startAuthorization } from "../../../functions/connections/use-cases/authorize.js";
import { completeAuthorization } from "../../../functions/connections/use-cases/callback.js";
import { tokenResolver } from "../../../functions/connections/use-cases/resolve-target.js";
import { UNDECRYPTABLE_WHY } from "../../../functions/connections/use-cases/targets.js";
import { createTokenVault } from "../../../functions/platform/crypto/token-vault.js";
import { TargetUnusableError } from "../../../functions/platform/unusable-target.js";
import { fakeDataKeys } from "../../support/fake-data-keys.js";
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

describe("token resolver: a stored token that cannot be decrypted", () => {
  const unusable = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetUnusableError);
    return error as TargetUnusableError;
  };

  it("flags the connection NEEDS_REAUTH, announces its targets once, and throws TargetUnusableError(reconnect)", async () => {
    const w = world();
    const id = await connect(w);
    const targets = await w.targets.listByConnection("acme", id);
    const page = targets.find((t) => t.kind === "facebook_page")!;
    // The Page's token sealed for another tenant and copied in: it authenticates under no context of ours.
    const foreign = await w.vault.seal("EAAB-page", {
      tenantId: "globex",
      connectionId: id,
      purpose: TOKEN_PURPOSE.target(page.id),
    });
    await w.targets.put({ ...page, token: foreign });
    const resolver = tokenResolver({ ...w.deps, now: () => w.clock.now() });

    const error = await unusable(resolver.resolve("acme", page.id));
    expect(error).toMatchObject({
      action: "reconnect",
      reason: "token_undecryptable:authentication_failed",
      targetId: page.id,
      connectionId: id,
    });
    expect(error.message).toContain("reconnect the account");
    expect(error.message).not.toContain("EAAB");
    expect(await w.connections.get("acme", id)).toMatchObject({
      status: "NEEDS_REAUTH",
      statusReason: UNDECRYPTABLE_WHY,
      action: { type: "reconnect" },
      refresh: expect.objectContaining({ lastError: "token_undecryptable:authentication_failed" }),
    });
    expect((await w.targets.listByConnection("acme", id)).every((t) => t.status === "NEEDS_REAUTH")).toBe(
      true,
    );
    expect(w.events.sent).toEqual([
      expect.objectContaining({
        connectionId: id,
        targetIds: targets.map((t) => t.id),
        reason: "needs_reauth",
        why: UNDECRYPTABLE_WHY,
      }),
    ]);
    // The next delivery to it sees a flagged target, not a second announcement.
    expect(await resolver.resolve("acme", page.id)).toMatchObject({ status: "NEEDS_REAUTH" });
    expect(w.events.sent).toHaveLength(1);
  });

  it("names a token sealed under another KMS key as unknown_key", async () => {
    const w = world();
    const id = await connect(w);
    const member = (await w.targets.listByConnection("acme", id))[0]!;
    const otherKey = createTokenVault(fakeDataKeys("retired-key"));
    const context = { tenantId: "acme", connectionId: id, purpose: TOKEN_PURPOSE.target(member.id) };
    await w.targets.put({ ...member, token: await otherKey.seal("EAAB-page", context) });
    const error = await unusable(tokenResolver(w.deps).resolve("acme", member.id));
    expect(error.reason).toBe("token_undecryptable:unknown_key");
    expect((await w.connections.get("acme", id))?.status).toBe("NEEDS_REAUTH");
  });

  it("an unusable token key (KMS DisabledException) is contact_support and leaves the connection alone", async () => {
    const w = world();
    const id = await connect(w);
    const page = (await w.targets.listByConnection("acme", id))[0]!;
    const keys = fakeDataKeys();
    keys.failWith("DisabledException");
    const broken = createTokenVault(keys);
    const error = await unusable(tokenResolver({ ...w.deps, vault: broken }).resolve("acme", page.id));
    expect(error).toMatchObject({ action: "contact_support", reason: "token_key_unusable" });
    expect((await w.connections.get("acme", id))?.status).toBe("ACTIVE");
    expect(w.events.sent).toEqual([]);
  });
});
