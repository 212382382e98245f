import {
  DecryptCommand,
  DisabledException,
  GenerateDataKeyCommand,
  InvalidCiphertextException,
  KMSClient,
} from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { kmsDataKeys } from "../../../../functions/platform/aws/kms.js";
import {
  createTokenVault,
  TokenKeyError,
  UndecryptableTokenError,
} from "../../../../functions/platform/crypto/token-vault.js";

const client = new KMSClient({ region: "eu-west-1" });
const kms = mockClient(client);
afterEach(() => kms.reset());

const KEY = "alias/herald-dev-tokens";
const context = { tenant: "acme", connection: "con_1", purpose: "access_token" };

describe("kmsDataKeys", () => {
  it("asks for an AES_256 data key on the configured key with the encryption context", async () => {
    const plaintext = new Uint8Array(32).fill(7);
    const blob = new Uint8Array([1, 2, 3]);
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: plaintext, CiphertextBlob: blob, KeyId: "k" });
    const out = await kmsDataKeys(KEY, client).generateDataKey(context);
    expect(out).toEqual({ plaintext, ciphertextBlob: blob });
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input).toEqual({
      KeyId: KEY,
      KeySpec: "AES_256",
      EncryptionContext: context,
    });
  });

  it("decrypts with the key pinned and the same encryption context", async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(9) });
    const blob = new Uint8Array([4, 5, 6]);
    expect(await kmsDataKeys(KEY, client).decrypt(blob, context)).toEqual(new Uint8Array(32).fill(9));
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toEqual({
      KeyId: KEY,
      CiphertextBlob: blob,
      EncryptionContext: context,
    });
  });

  it("refuses an answer without key material", async () => {
    kms.on(GenerateDataKeyCommand).resolves({});
    kms.on(DecryptCommand).resolves({});
    const keys = kmsDataKeys(KEY, client);
    await expect(keys.generateDataKey(context)).rejects.toThrow(/no key/);
    await expect(keys.decrypt(new Uint8Array(1), context)).rejects.toThrow(/no plaintext/);
  });

  it("passes KMS errors through as the SDK raises them, which the vault classifies", async () => {
    const meta = { $metadata: {}, message: "x" };
    kms.on(DecryptCommand).rejects(new InvalidCiphertextException(meta));
    kms.on(GenerateDataKeyCommand).rejects(new DisabledException(meta));
    const vault = createTokenVault(kmsDataKeys(KEY, client));
    const ctx = { tenantId: "acme", connectionId: "con_1", purpose: "access_token" };
    await expect(vault.seal("t", ctx)).rejects.toBeInstanceOf(TokenKeyError);
    await expect(
      vault.open("hv2.AAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA", ctx),
    ).rejects.toBeInstanceOf(UndecryptableTokenError);
  });
});
