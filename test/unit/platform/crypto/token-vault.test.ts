import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createTokenVault,
  type DataKeyPort,
  TokenKeyError,
  TokenVaultError,
  UndecryptableTokenError,
} from "../../../../functions/platform/crypto/token-vault.js";
import { fakeDataKeys } from "../../../support/fake-data-keys.js";

const ctx = { tenantId: "acme", connectionId: "con_1", purpose: "access_token" };

const errorOf = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("token vault", () => {
  it("round-trips any token and never stores the plaintext", async () => {
    const vault = createTokenVault(fakeDataKeys());
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 600 }), async (token) => {
        const sealed = await vault.seal(token, ctx);
        expect(await vault.open(sealed, ctx)).toBe(token);
        if (token.length >= 8) expect(sealed.includes(token)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("asks KMS for a data key with the context {tenant, connection, purpose} and decrypts with the same", async () => {
    const keys = fakeDataKeys();
    const vault = createTokenVault(keys);
    const sealed = await vault.seal("EAAB-token", ctx);
    await vault.open(sealed, ctx);
    const context = { tenant: "acme", connection: "con_1", purpose: "access_token" };
    expect(keys.calls).toEqual([
      { op: "GenerateDataKey", context },
      { op: "Decrypt", context },
    ]);
  });

  it("writes the hv2 format: version, KMS blob, IV, ciphertext+tag", async () => {
    const sealed = await createTokenVault(fakeDataKeys()).seal("EAAB-token", ctx);
    const parts = sealed.split(".");
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe("hv2");
    for (const p of parts.slice(1)) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[2]!, "base64url")).toHaveLength(12);
    expect(Buffer.from(parts[3]!, "base64url")).toHaveLength("EAAB-token".length + 16);
  });

  it("zeroes the plaintext data key it was given, after sealing and after opening", async () => {
    const inner = fakeDataKeys();
    const handed: Uint8Array[] = [];
    const keys: DataKeyPort = {
      async generateDataKey(c) {
        const out = await inner.generateDataKey(c);
        handed.push(out.plaintext);
        return out;
      },
      async decrypt(blob, c) {
        const out = await inner.decrypt(blob, c);
        handed.push(out);
        return out;
      },
    };
    const vault = createTokenVault(keys);
    expect(await vault.open(await vault.seal("t", ctx), ctx)).toBe("t");
    expect(handed).toHaveLength(2);
    for (const k of handed) expect(k.every((b) => b === 0)).toBe(true);
  });

  it("seals the same token differently each time (fresh data key and IV)", async () => {
    const vault = createTokenVault(fakeDataKeys());
    expect(await vault.seal("EAAB-token", ctx)).not.toBe(await vault.seal("EAAB-token", ctx));
  });

  it("refuses to open under another tenant, connection or purpose", async () => {
    const vault = createTokenVault(fakeDataKeys());
    const sealed = await vault.seal("secret-token", ctx);
    for (const other of [{ tenantId: "globex" }, { connectionId: "con_2" }, { purpose: "refresh_token" }]) {
      const error = await errorOf(vault.open(sealed, { ...ctx, ...other }));
      expect(error).toBeInstanceOf(UndecryptableTokenError);
      expect((error as UndecryptableTokenError).reason).toBe("authentication_failed");
    }
  });

  it("does not confuse contexts whose values contain the separator", async () => {
    const vault = createTokenVault(fakeDataKeys());
    const sealed = await vault.seal("t", { tenantId: "a|connection:b", connectionId: "c", purpose: "p" });
    await expect(
      vault.open(sealed, { tenantId: "a", connectionId: "b|connection:c", purpose: "p" }),
    ).rejects.toBeInstanceOf(TokenVaultError);
  });

  it("authenticates the context in the GCM layer too (a port that ignored it still refuses)", async () => {
    // A data-key port that hands back the key whatever the context: the AAD still binds it.
    const inner = fakeDataKeys();
    const lastKey: { blob?: Uint8Array; context?: Parameters<DataKeyPort["decrypt"]>[1] } = {};
    const lax: DataKeyPort = {
      async generateDataKey(c) {
        const out = await inner.generateDataKey(c);
        lastKey.blob = out.ciphertextBlob;
        lastKey.context = c;
        return out;
      },
      decrypt: (blob) => inner.decrypt(blob, lastKey.context!),
    };
    const vault = createTokenVault(lax);
    const sealed = await vault.seal("t", ctx);
    const error = await errorOf(vault.open(sealed, { ...ctx, tenantId: "globex" }));
    expect((error as UndecryptableTokenError).reason).toBe("authentication_failed");
  });

  it("detects tampering in any part of the sealed value", async () => {
    const vault = createTokenVault(fakeDataKeys());
    const sealed = await vault.seal("tamper-me-please", ctx);
    const parts = sealed.split(".");
    for (const i of [1, 2, 3]) {
      const bytes = Buffer.from(parts[i]!, "base64url");
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
      const forged = parts.map((p, j) => (j === i ? bytes.toString("base64url") : p)).join(".");
      await expect(vault.open(forged, ctx)).rejects.toBeInstanceOf(UndecryptableTokenError);
    }
  });

  it("a blob made under another KMS key is undecryptable (unknown_key)", async () => {
    const sealed = await createTokenVault(fakeDataKeys("key-a")).seal("t", ctx);
    const error = await errorOf(createTokenVault(fakeDataKeys("key-b")).open(sealed, ctx));
    expect((error as UndecryptableTokenError).reason).toBe("unknown_key");
  });

  it("a value that is not hv2 is malformed, without calling KMS", async () => {
    const keys = fakeDataKeys();
    const vault = createTokenVault(keys);
    for (const v of [
      "not-sealed",
      "hv1.k1.a.b.c.d",
      "hv2.a.b",
      "hv2.a.b.c.d",
      "hv2..AAAA.AAAA",
      "hv2.a+b.c.d",
    ]) {
      const error = await errorOf(vault.open(v, ctx));
      expect((error as UndecryptableTokenError).reason).toBe("malformed");
    }
    expect(keys.calls).toEqual([]);
  });

  it("a sealed value with a short IV or body is malformed", async () => {
    const vault = createTokenVault(fakeDataKeys());
    const [v, blob, , body] = (await vault.seal("t", ctx)).split(".");
    const error = await errorOf(vault.open([v, blob, "AAAA", body].join("."), ctx));
    expect((error as UndecryptableTokenError).reason).toBe("malformed");
  });

  describe("says which side is at fault", () => {
    it.each([
      "DisabledException",
      "KeyUnavailableException",
      "NotFoundException",
      "AccessDeniedException",
      "KMSInvalidStateException",
    ])("%s: the key is unusable (TokenKeyError), on seal and on open", async (code) => {
      const keys = fakeDataKeys();
      const vault = createTokenVault(keys);
      const sealed = await vault.seal("t", ctx);
      keys.failWith(code);
      for (const p of [vault.seal("t", ctx), vault.open(sealed, ctx)]) {
        const error = await errorOf(p);
        expect(error).toBeInstanceOf(TokenKeyError);
        expect(error).not.toBeInstanceOf(UndecryptableTokenError);
        expect((error as TokenKeyError).code).toBe(code);
      }
    });

    it.each(["ThrottlingException", "KMSInternalException", "DependencyTimeoutException", "TimeoutError"])(
      "%s is transient: rethrown as is, neither vault error",
      async (code) => {
        const keys = fakeDataKeys();
        const vault = createTokenVault(keys);
        const sealed = await vault.seal("t", ctx);
        keys.failWith(code);
        for (const p of [vault.seal("t", ctx), vault.open(sealed, ctx)]) {
          const error = await errorOf(p);
          expect(error).not.toBeInstanceOf(TokenVaultError);
          expect((error as Error).name).toBe(code);
        }
      },
    );

    it("a network failure (no KMS error name) is rethrown as is", async () => {
      const boom = new TypeError("fetch failed");
      const vault = createTokenVault({
        generateDataKey: () => Promise.reject(boom),
        decrypt: () => Promise.reject(boom),
      });
      await expect(vault.seal("t", ctx)).rejects.toBe(boom);
    });

    it("a data key that is not 256 bits is refused", async () => {
      const vault = createTokenVault({
        generateDataKey: async () => ({ plaintext: new Uint8Array(16), ciphertextBlob: new Uint8Array(40) }),
        decrypt: async () => new Uint8Array(16),
      });
      await expect(vault.seal("t", ctx)).rejects.toBeInstanceOf(TokenKeyError);
      const error = await errorOf(vault.open("hv2.AAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA", ctx));
      expect((error as UndecryptableTokenError).reason).toBe("malformed");
    });
  });
});
