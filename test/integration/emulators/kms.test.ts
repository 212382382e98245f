import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisabledException,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kmsDataKeys } from "../../../functions/platform/aws/kms.js";
import {
  createTokenVault,
  TokenKeyError,
  UndecryptableTokenError,
} from "../../../functions/platform/crypto/token-vault.js";
import { startKmsEmulator } from "../../../local/emulators/kms.js";
import type { ActivityEvent, RunningEmulator } from "../../../local/emulators/types.js";
import { localClientConfig, recordActivity } from "./helpers.js";

let emulator: RunningEmulator;
let kms: KMSClient;
let activity: ActivityEvent[];
let keyId: string;
let keyArn: string;

const context = { tenant: "acme", connection: "con_1", purpose: "access_token" };

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0 });
  activity = recordActivity(emulator);
  kms = new KMSClient(localClientConfig(emulator.url));
  const out = await kms.send(new CreateKeyCommand({ Description: "tokens" }));
  keyId = out.KeyMetadata!.KeyId!;
  keyArn = out.KeyMetadata!.Arn!;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/herald-it-tokens", TargetKeyId: keyId }));
});

afterAll(async () => {
  kms?.destroy();
  await emulator?.close();
});

const dataKey = (KeyId: string, EncryptionContext: Record<string, string> = context) =>
  kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: "AES_256", EncryptionContext }));

describe("KMS emulator", () => {
  it("creates and describes a symmetric key, found by id, ARN, alias and alias ARN", async () => {
    for (const ref of [
      keyId,
      keyArn,
      "alias/herald-it-tokens",
      "arn:aws:kms:us-east-1:000000000000:alias/herald-it-tokens",
    ]) {
      const out = await kms.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(out.KeyMetadata).toMatchObject({
        KeyId: keyId,
        Arn: keyArn,
        Description: "tokens",
        KeyState: "Enabled",
        KeySpec: "SYMMETRIC_DEFAULT",
      });
    }
    expect(keyArn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId}`);
  });

  it("round-trips a data key: GenerateDataKey, then Decrypt with the same context (in any order)", async () => {
    const out = await dataKey("alias/herald-it-tokens");
    expect(out.Plaintext).toHaveLength(32);
    expect(out.KeyId).toBe(keyArn);
    const reordered = { purpose: "access_token", connection: "con_1", tenant: "acme" };
    const back = await kms.send(
      new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: reordered }),
    );
    expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(out.Plaintext!));
    expect(back.KeyId).toBe(keyArn);
  });

  it("round-trips Encrypt/Decrypt", async () => {
    const enc = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("hello"), EncryptionContext: context }),
    );
    const dec = await kms.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("hello");
  });

  it("refuses a different, missing or extra encryption context with InvalidCiphertextException", async () => {
    const { CiphertextBlob } = await dataKey(keyId);
    for (const EncryptionContext of [
      { ...context, tenant: "globex" },
      { ...context, Tenant: "acme" },
      { tenant: "acme", connection: "con_1" },
      { ...context, extra: "x" },
      undefined,
    ]) {
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
    expect(activity.some((e) => e.source === "kms" && e.type === "decrypt-refused")).toBe(true);
  });

  it("refuses a tampered or foreign blob with InvalidCiphertextException", async () => {
    const { CiphertextBlob } = await dataKey(keyId);
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    for (const blob of [tampered, Buffer.from("not a kms blob at all, not at all")]) {
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it("says NotFoundException for an unknown key or alias", async () => {
    await expect(dataKey("11111111-2222-3333-4444-555555555555")).rejects.toBeInstanceOf(NotFoundException);
    await expect(dataKey("alias/nope")).rejects.toBeInstanceOf(NotFoundException);
  });

  it("says IncorrectKeyException when Decrypt names another key than the blob's", async () => {
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await dataKey(keyId);
    await expect(
      kms.send(new DecryptCommand({ KeyId: other, CiphertextBlob, EncryptionContext: context })),
    ).rejects.toBeInstanceOf(IncorrectKeyException);
  });

  it("refuses cryptographic operations on a disabled key with DisabledException", async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await dataKey(id);
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    await expect(dataKey(id)).rejects.toBeInstanceOf(DisabledException);
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context })),
    ).rejects.toBeInstanceOf(DisabledException);
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context })),
    ).resolves.toBeDefined();
  });

  it("opens the preloaded keys it was started with (the local stack's --persist)", async () => {
    const material = Buffer.alloc(32, 3).toString("base64");
    const a = await startKmsEmulator({ keys: [{ keyId: "persisted", material }] });
    const b = await startKmsEmulator({ keys: [{ keyId: "persisted", material }] });
    const ca = new KMSClient(localClientConfig(a.url));
    const cb = new KMSClient(localClientConfig(b.url));
    try {
      const out = await ca.send(
        new GenerateDataKeyCommand({ KeyId: "persisted", KeySpec: "AES_256", EncryptionContext: context }),
      );
      const back = await cb.send(
        new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: context }),
      );
      expect(Buffer.from(back.Plaintext!)).toEqual(Buffer.from(out.Plaintext!));
    } finally {
      ca.destroy();
      cb.destroy();
      await a.close();
      await b.close();
    }
  });

  it("backs the token vault through the real SDK: the error model holds end to end", async () => {
    const vault = createTokenVault(kmsDataKeys("alias/herald-it-tokens", kms));
    const ctx = { tenantId: "acme", connectionId: "con_1", purpose: "access_token" };
    const sealed = await vault.seal("EAAB-secret", ctx);
    expect(await vault.open(sealed, ctx)).toBe("EAAB-secret");
    await expect(vault.open(sealed, { ...ctx, tenantId: "globex" })).rejects.toBeInstanceOf(
      UndecryptableTokenError,
    );
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const foreign = createTokenVault(kmsDataKeys(other, kms));
    const error = await foreign.open(sealed, ctx).catch((e: unknown) => e);
    expect((error as UndecryptableTokenError).reason).toBe("unknown_key");
    const missing = createTokenVault(kmsDataKeys("alias/not-there", kms));
    await expect(missing.seal("x", ctx)).rejects.toBeInstanceOf(TokenKeyError);
  });
});
