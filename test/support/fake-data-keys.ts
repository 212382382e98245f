/**
 * An in-memory stand-in for the token vault's KMS port (`DataKeyPort`) that enforces the
 * encryption context like KMS: the blob is the data key sealed (AES-256-GCM) under a
 * per-fake master key with the key id and the canonical context as additional data, so
 * `decrypt` with another context, or a blob from another fake (another key), is refused with
 * an error named `InvalidCiphertextException` / `IncorrectKeyException`, as the SDK raises them.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import type { DataKeyPort, KmsEncryptionContext } from "../../functions/platform/crypto/token-vault.js";

const kmsError = (name: string, message = name) => Object.assign(new Error(message), { name });

const canonical = (keyId: string, context: KmsEncryptionContext) =>
  Buffer.from(
    JSON.stringify([keyId, Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]),
    "utf8",
  );

export interface FakeDataKeys extends DataKeyPort {
  readonly keyId: string;
  /** Every call made, with its context (what CloudTrail would record). */
  readonly calls: { op: "GenerateDataKey" | "Decrypt"; context: KmsEncryptionContext }[];
  /** The next calls reject with a KMS error of this name (e.g. `DisabledException`, `ThrottlingException`); undefined heals. */
  failWith(name: string | undefined): void;
}

export function fakeDataKeys(keyId: string = randomUUID()): FakeDataKeys {
  const master = randomBytes(32);
  let failure: string | undefined;
  const calls: FakeDataKeys["calls"] = [];
  const check = () => {
    if (failure) throw kmsError(failure);
  };
  const idBytes = Buffer.from(keyId, "utf8");
  return {
    keyId,
    calls,
    failWith(name) {
      failure = name;
    },
    async generateDataKey(context) {
      calls.push({ op: "GenerateDataKey", context });
      check();
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", master, iv);
      cipher.setAAD(canonical(keyId, context));
      const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      const ciphertextBlob = Buffer.concat([Buffer.from([idBytes.length]), idBytes, iv, sealed]);
      return { plaintext: new Uint8Array(plaintext), ciphertextBlob: new Uint8Array(ciphertextBlob) };
    },
    async decrypt(blob, context) {
      calls.push({ op: "Decrypt", context });
      check();
      const b = Buffer.from(blob);
      const idLength = b[0] ?? 0;
      if (b.length < 1 + idLength + 12 + 16 + 32) throw kmsError("InvalidCiphertextException");
      if (b.subarray(1, 1 + idLength).toString("utf8") !== keyId) throw kmsError("IncorrectKeyException");
      const iv = b.subarray(1 + idLength, 13 + idLength);
      const body = b.subarray(13 + idLength);
      const decipher = createDecipheriv("aes-256-gcm", master, iv);
      decipher.setAAD(canonical(keyId, context));
      decipher.setAuthTag(body.subarray(body.length - 16));
      try {
        return new Uint8Array(
          Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]),
        );
      } catch {
        throw kmsError("InvalidCiphertextException");
      }
    },
  };
}
