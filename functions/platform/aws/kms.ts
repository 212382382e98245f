/**
 * The KMS client, built once per cold start (endpoint: `AWS_ENDPOINT_URL_KMS`), and the token
 * vault's data-key port over it: `GenerateDataKey` (AES_256) and `Decrypt` on one key, always
 * with the caller's encryption context. KMS errors are passed through untouched (the vault
 * classifies them by name).
 */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { DataKeyPort } from "../crypto/token-vault.js";

export const kms = new KMSClient({});

/** The data-key port on `keyId` (a key id, key ARN, alias name or alias ARN). */
export function kmsDataKeys(keyId: string, client: KMSClient = kms): DataKeyPort {
  return {
    async generateDataKey(context) {
      const out = await client.send(
        new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { ...context } }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error("KMS GenerateDataKey returned no key");
      return { plaintext: out.Plaintext, ciphertextBlob: out.CiphertextBlob };
    },
    async decrypt(ciphertextBlob, context) {
      // KeyId pins the key: a blob made under any other key is refused (IncorrectKeyException).
      const out = await client.send(
        new DecryptCommand({
          KeyId: keyId,
          CiphertextBlob: ciphertextBlob,
          EncryptionContext: { ...context },
        }),
      );
      if (!out.Plaintext) throw new Error("KMS Decrypt returned no plaintext");
      return out.Plaintext;
    },
  };
}
