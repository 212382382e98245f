/**
 * A stored token that cannot be decrypted, end to end on the local stack: the publish worker
 * fails the delivery at once with "reconnect" (no retries, no provider call), and the
 * connection is flagged NEEDS_REAUTH with its targets, as the refresh cron would.
 */
import { describe, expect, it } from "vitest";
import { TOKEN_PURPOSE } from "../../../functions/connections/domain/connection.js";
import { UndecryptableTokenError } from "../../../functions/platform/crypto/token-vault.js";
import { api } from "../../support/stack.js";
import {
  connectedWorld,
  marker,
  PAGE_BAKERY,
  publishedWith,
  schedulePost,
  settled,
} from "../publishing/support.js";
import { getItem, putItem, stackVault } from "./helpers.js";

/** Flip one bit of a sealed value's ciphertext (its last part): GCM authentication must refuse it. */
const tamper = (sealed: string) => {
  const parts = sealed.split(".");
  const last = parts.length - 1;
  const body = Buffer.from(parts[last]!, "base64url");
  body[0] = (body[0] ?? 0) ^ 0x01;
  parts[last] = body.toString("base64url");
  return parts.join(".");
};

describe("a Page token that cannot be decrypted", () => {
  it("fails its delivery at once with 'reconnect' and flags the connection NEEDS_REAUTH", async () => {
    const w = await connectedWorld("it-undecryptable");
    const page = w.target(PAGE_BAKERY);
    const key = { PK: `TENANT#${w.tenant}#TARGET#${page.id}`, SK: "TARGET" };
    const item = (await getItem(key.PK, key.SK))!;
    expect(typeof item.token).toBe("string");
    await putItem({ ...item, token: tamper(String(item.token)) });

    const m = marker("undecryptable");
    const { deliveries } = await schedulePost(w, {
      content: { text: `Never sent ${m}` },
      targetIds: [page.id],
    });
    const done = await settled(w, deliveries[0]!.id);
    expect(done.status).toBe("FAILED");
    const last = done.ledger.at(-1)!;
    expect(last.detail).toContain("herald token_undecryptable:authentication_failed");
    expect(last.detail).toContain("next step: reconnect");
    // Claimed once and failed: no retry, no dead-letter episode.
    expect(done.ledger.filter((e) => e.event === "claimed")).toHaveLength(1);
    expect(done.ledger.some((e) => /retry|dead/i.test(e.event))).toBe(false);
    expect(await publishedWith(m)).toHaveLength(0);

    const connection = await api(`/v1/connections/${w.metaConnection}`, { token: w.token });
    expect(await connection.json()).toMatchObject({
      status: "NEEDS_REAUTH",
      action: { type: "reconnect", message: expect.stringContaining("/v1/connections/meta/authorize") },
    });
    const targets = await api(`/v1/connections/${w.metaConnection}/targets`, { token: w.token });
    const items = ((await targets.json()) as { items: { status: string }[] }).items;
    expect(items.every((t) => t.status === "NEEDS_REAUTH")).toBe(true);
    // The LinkedIn connection of the same tenant is untouched.
    const li = await api(`/v1/connections/${w.linkedinConnection}`, { token: w.token });
    expect(((await li.json()) as { status: string }).status).toBe("ACTIVE");
  });
});

describe("a Page token sealed for another tenant (KMS encryption context)", () => {
  it("does not open for the other tenant: KMS refuses the data key and the delivery fails with 'reconnect'", async () => {
    const a = await connectedWorld("it-kms-a");
    const b = await connectedWorld("it-kms-b");
    const pageA = a.target(PAGE_BAKERY);
    const pageB = b.target(PAGE_BAKERY);
    const itemA = (await getItem(`TENANT#${a.tenant}#TARGET#${pageA.id}`, "TARGET"))!;
    const itemB = (await getItem(`TENANT#${b.tenant}#TARGET#${pageB.id}`, "TARGET"))!;
    const sealedA = String(itemA.token);
    expect(sealedA.startsWith("hv2.")).toBe(true);

    // Through the stack's KMS key: it opens under its own context only.
    const vault = await stackVault();
    const purpose = TOKEN_PURPOSE.target(pageA.id);
    const own = { tenantId: a.tenant, connectionId: a.metaConnection, purpose };
    await expect(vault.open(sealedA, own)).resolves.toEqual(expect.any(String));
    const foreign = await vault.open(sealedA, { ...own, tenantId: b.tenant }).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(UndecryptableTokenError);

    // Copied into tenant B's Page target, it fails B's delivery at once; A is untouched.
    await putItem({ ...itemB, token: sealedA });
    const m = marker("kms-foreign");
    const { deliveries } = await schedulePost(b, {
      content: { text: `Never sent ${m}` },
      targetIds: [pageB.id],
    });
    const done = await settled(b, deliveries[0]!.id);
    expect(done.status).toBe("FAILED");
    expect(done.ledger.at(-1)!.detail).toContain("herald token_undecryptable:authentication_failed");
    expect(await publishedWith(m)).toHaveLength(0);
    const connA = await api(`/v1/connections/${a.metaConnection}`, { token: a.token });
    expect(((await connA.json()) as { status: string }).status).toBe("ACTIVE");
  });
});
