import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createTokenVault,
  generateKeyMaterial,
  secretsKeyrings,
  type TokenKeyring,
  TokenKeyringError,
  TokenVaultError,
  UndecryptableTokenError,
} from "../../../../functions/platform/crypto/token-vault.js";

const ctx = { tenantId: "acme", connectionId: "con_1", purpose: "access_token" };
const ring = (current: string, keys: Record<string, string>): TokenKeyring => ({ current, keys });
const fixedVault = () => {
  const rings = [ring("k1", { k1: generateKeyMaterial() })];
  return createTokenVault(async () => rings);
};

describe("token vault", () => {
  it("round-trips any token and never stores the plaintext", async () => {
    const vault = fixedVault();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 600 }), async (token) => {
        const sealed = await vault.seal(token, ctx);
        expect(await vault.open(sealed, ctx)).toBe(token);
        if (token.length >= 8) expect(sealed.includes(token)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("seals the same token differently each time (fresh data key and IV)", async () => {
    const vault = fixedVault();
    const a = await vault.seal("EAAB-token", ctx);
    const b = await vault.seal("EAAB-token", ctx);
    expect(a).not.toBe(b);
    expect(vault.keyIdOf(a)).toBe("k1");
  });

  it("refuses to open under another tenant, connection or purpose", async () => {
    const vault = fixedVault();
    const sealed = await vault.seal("secret-token", ctx);
    await expect(vault.open(sealed, { ...ctx, tenantId: "globex" })).rejects.toBeInstanceOf(TokenVaultError);
    await expect(vault.open(sealed, { ...ctx, connectionId: "con_2" })).rejects.toBeInstanceOf(
      TokenVaultError,
    );
    await expect(vault.open(sealed, { ...ctx, purpose: "refresh_token" })).rejects.toBeInstanceOf(
      TokenVaultError,
    );
  });

  it("does not confuse contexts whose values contain the separator", async () => {
    const vault = fixedVault();
    const sealed = await vault.seal("t", { tenantId: "a|connection:b", connectionId: "c", purpose: "p" });
    await expect(
      vault.open(sealed, { tenantId: "a", connectionId: "b|connection:c", purpose: "p" }),
    ).rejects.toBeInstanceOf(TokenVaultError);
  });

  it("keeps old tokens readable after rotation (old id kept in keys, or only in AWSPREVIOUS)", async () => {
    const k1 = generateKeyMaterial();
    const k2 = generateKeyMaterial();
    let rings: (TokenKeyring | undefined)[] = [ring("k1", { k1 })];
    const vault = createTokenVault(async () => rings);
    const old = await vault.seal("old-token", ctx);

    rings = [ring("k2", { k1, k2 })];
    expect(await vault.open(old, ctx)).toBe("old-token");
    const fresh = await vault.seal("new-token", ctx);
    expect(vault.keyIdOf(fresh)).toBe("k2");

    rings = [ring("k2", { k2 }), ring("k1", { k1 })];
    expect(await vault.open(old, ctx)).toBe("old-token");
    expect(await vault.open(fresh, ctx)).toBe("new-token");

    rings = [ring("k2", { k2 })];
    await expect(vault.open(old, ctx)).rejects.toThrow(/Unknown key id k1/);
  });

  it("detects tampering in any part of the sealed value", async () => {
    const vault = fixedVault();
    const sealed = await vault.seal("tamper-me-please", ctx);
    const parts = sealed.split(".");
    for (const i of [2, 3, 4, 5]) {
      const bytes = Buffer.from(parts[i]!, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      const forged = parts.map((p, j) => (j === i ? bytes.toString("base64url") : p)).join(".");
      await expect(vault.open(forged, ctx)).rejects.toBeInstanceOf(TokenVaultError);
    }
    await expect(vault.open("hv1.k1.short", ctx)).rejects.toBeInstanceOf(TokenVaultError);
    await expect(vault.open(sealed.replace("hv1.k1.", "hv1.k9."), ctx)).rejects.toBeInstanceOf(
      TokenVaultError,
    );
  });

  it("refuses a key that is not 32 bytes", async () => {
    const vault = createTokenVault(async () => [ring("k1", { k1: Buffer.alloc(16).toString("base64") })]);
    await expect(vault.seal("x", ctx)).rejects.toThrow(/not 32 bytes/);
  });

  it("reads current and previous keyrings from the secret helpers", async () => {
    const k1 = generateKeyMaterial();
    const load = secretsKeyrings(
      "herald/dev/tokenKeys",
      async () => ({ current: "k2", keys: { k2: generateKeyMaterial() } }),
      async () => ({ current: "k1", keys: { k1 } }),
    );
    const rings = await load();
    expect(rings.map((r) => r?.current)).toEqual(["k2", "k1"]);
    const bad = secretsKeyrings(
      "x",
      async () => "nope",
      async () => undefined,
    );
    await expect(bad()).rejects.toBeInstanceOf(TokenVaultError);
  });

  describe("says which side is at fault", () => {
    const reasonOf = async (p: Promise<unknown>) => {
      const error = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UndecryptableTokenError);
      return (error as UndecryptableTokenError).reason;
    };

    it("an unopenable sealed value is an UndecryptableTokenError with its reason", async () => {
      const vault = fixedVault();
      const sealed = await vault.seal("secret-token", ctx);
      expect(await reasonOf(vault.open(sealed, { ...ctx, tenantId: "globex" }))).toBe(
        "authentication_failed",
      );
      const parts = sealed.split(".");
      const body = Buffer.from(parts[5]!, "base64url");
      body[0] = (body[0] ?? 0) ^ 0x01;
      parts[5] = body.toString("base64url");
      expect(await reasonOf(vault.open(parts.join("."), ctx))).toBe("authentication_failed");
      expect(await reasonOf(vault.open(sealed.replace("hv1.k1.", "hv1.k9."), ctx))).toBe("unknown_key");
      expect(await reasonOf(vault.open("not-sealed", ctx))).toBe("malformed");
    });

    it("a token whose key was rotated out of both versions is undecryptable (unknown_key)", async () => {
      let rings: TokenKeyring[] = [ring("k1", { k1: generateKeyMaterial() })];
      const vault = createTokenVault(async () => rings);
      const old = await vault.seal("old-token", ctx);
      rings = [ring("k2", { k2: generateKeyMaterial() })];
      expect(await reasonOf(vault.open(old, ctx))).toBe("unknown_key");
    });

    it("an unusable keyring is a TokenKeyringError, not an undecryptable token", async () => {
      const short = createTokenVault(async () => [ring("k1", { k1: Buffer.alloc(16).toString("base64") })]);
      await expect(short.seal("x", ctx)).rejects.toBeInstanceOf(TokenKeyringError);
      const sealed = await fixedVault().seal("x", ctx);
      await expect(short.open(sealed, ctx)).rejects.toBeInstanceOf(TokenKeyringError);
      await expect(createTokenVault(async () => [undefined]).seal("x", ctx)).rejects.toBeInstanceOf(
        TokenKeyringError,
      );
      const notARing = secretsKeyrings(
        "x",
        async () => "nope",
        async () => undefined,
      );
      await expect(createTokenVault(notARing).open(sealed, ctx)).rejects.toBeInstanceOf(TokenKeyringError);
    });
  });
});
