/**
 * The token vault: envelope encryption for provider tokens at rest, with AWS KMS data keys.
 *
 * Each `seal` asks KMS for a fresh 256-bit data key (`GenerateDataKey`, AES_256) under the
 * stage's token key, bound to the encryption context `{tenant, connection, purpose}`, encrypts
 * the token with it (AES-256-GCM) and zeroes the plaintext key; the sealed string keeps the
 * KMS ciphertext blob of the data key. `open` asks KMS to `Decrypt` that blob with the same
 * context, then opens the GCM layer. KMS refuses a blob under another context
 * (`InvalidCiphertextException`), and the GCM layer authenticates the same three values as
 * additional data, `tenant:<t>|connection:<id>|<purpose>`, so a sealed token copied into another
 * tenant's or another connection's item, or used for another purpose, fails to open. Every
 * seal and open is a CloudTrail event carrying the context; the key never leaves KMS, and
 * KMS key rotation keeps old blobs decryptable with nothing to re-seal.
 *
 * Sealed format (one string, stored as is): `hv2.<ciphertextBlob>.<iv>.<ciphertext+tag>`
 * (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** What a sealed token is bound to. */
export interface TokenContext {
  readonly tenantId: string;
  readonly connectionId: string;
  /** `access_token`, `refresh_token`, `page_token:<pageId>`, … */
  readonly purpose: string;
}

/** The KMS encryption context a token's data key is bound to (keys `tenant`, `connection`, `purpose`). */
export type KmsEncryptionContext = Readonly<Record<"tenant" | "connection" | "purpose", string>>;

/**
 * The two KMS operations the vault uses, on the stage's token key (the adapter binds the key
 * id). Failures are rejected with the KMS error as the SDK raises it (its `name` is the KMS
 * error code), so the vault can tell a bad blob from an unusable key from a transient fault.
 */
export interface DataKeyPort {
  generateDataKey(
    context: KmsEncryptionContext,
  ): Promise<{ plaintext: Uint8Array; ciphertextBlob: Uint8Array }>;
  decrypt(ciphertextBlob: Uint8Array, context: KmsEncryptionContext): Promise<Uint8Array>;
}

/** The vault could not seal or open a token; see the two subclasses for which side is at fault. */
export class TokenVaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Why a sealed token cannot be opened. */
export type UndecryptableReason = "malformed" | "unknown_key" | "authentication_failed";

/**
 * This sealed token can never be opened: it was sealed for another tenant/connection/purpose,
 * under another KMS key, it was tampered with, or it is not a sealed value at all. Retrying
 * cannot heal it; a new grant (reconnect) replaces it.
 */
export class UndecryptableTokenError extends TokenVaultError {
  constructor(
    readonly reason: UndecryptableReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The token key itself is unusable (KMS says it is disabled, pending deletion, unavailable,
 * not found, or this function may not use it): no token can be sealed or opened until an
 * operator fixes the key or its policy. Reconnecting would not help.
 */
export class TokenKeyError extends TokenVaultError {
  constructor(
    /** The KMS error code, e.g. `DisabledException`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TokenVault {
  seal(plaintext: string, context: TokenContext): Promise<string>;
  open(sealed: string, context: TokenContext): Promise<string>;
}

const VERSION = "hv2";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** KMS errors that mean the blob will never decrypt (under this context and key). */
const UNDECRYPTABLE: Readonly<Record<string, UndecryptableReason>> = {
  InvalidCiphertextException: "authentication_failed",
  IncorrectKeyException: "unknown_key",
};

/** KMS errors that mean the key (or our permission to use it) is broken: an operator must act. */
const KEY_UNUSABLE = new Set([
  "DisabledException",
  "KeyUnavailableException",
  "NotFoundException",
  "AccessDeniedException",
  "KMSInvalidStateException",
  "InvalidKeyUsageException",
]);

/** Turns a KMS failure into the vault's error model; anything else (throttling, 5xx, network) is rethrown as is: retryable. */
function classify(error: unknown): never {
  const code = (error as { name?: unknown })?.name;
  if (typeof code === "string") {
    const reason = UNDECRYPTABLE[code];
    if (reason)
      throw new UndecryptableTokenError(reason, `KMS refused the sealed token's data key (${code})`);
    if (KEY_UNUSABLE.has(code)) throw new TokenKeyError(code, `The token key is unusable (${code})`);
  }
  throw error;
}

/** The additional authenticated data for a context; `|` and `\` inside values are escaped. */
export const aadFor = (c: TokenContext): Buffer => {
  const esc = (s: string) => s.replaceAll("\\", "\\\\").replaceAll("|", "\\|");
  return Buffer.from(`tenant:${esc(c.tenantId)}|connection:${esc(c.connectionId)}|${esc(c.purpose)}`, "utf8");
};

/** The KMS encryption context for a token context. */
export const encryptionContextFor = (c: TokenContext): KmsEncryptionContext => ({
  tenant: c.tenantId,
  connection: c.connectionId,
  purpose: c.purpose,
});

function gcmOpen(key: Buffer, iv: Buffer, body: Buffer, aad: Buffer): Buffer {
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
    throw new UndecryptableTokenError("malformed", "Malformed sealed token");
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new UndecryptableTokenError(
      "authentication_failed",
      "Sealed token failed authentication (wrong context, wrong key or tampered)",
    );
  }
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function parse(sealed: string) {
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => B64URL.test(p))) {
    throw new UndecryptableTokenError("malformed", "Malformed sealed token");
  }
  const [, blob, iv, body] = parts.map((p) => Buffer.from(p, "base64url")) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  return { blob, iv, body };
}

/** A vault over KMS data keys (see {@link DataKeyPort}; the adapter is `kmsDataKeys` in platform/aws/kms.ts). */
export function createTokenVault(keys: DataKeyPort): TokenVault {
  return {
    async seal(plaintext, context) {
      const dataKey = await keys.generateDataKey(encryptionContextFor(context)).catch(classify);
      const key = Buffer.from(dataKey.plaintext);
      dataKey.plaintext.fill(0);
      try {
        if (key.length !== KEY_BYTES)
          throw new TokenKeyError("InvalidKeyUsageException", "Data key is not 256 bits");
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        cipher.setAAD(aadFor(context));
        const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
        const s = (x: Uint8Array) => Buffer.from(x).toString("base64url");
        return [VERSION, s(dataKey.ciphertextBlob), s(iv), s(body)].join(".");
      } finally {
        key.fill(0);
      }
    },
    async open(sealed, context) {
      const p = parse(sealed);
      const plain = await keys.decrypt(p.blob, encryptionContextFor(context)).catch(classify);
      const key = Buffer.from(plain);
      plain.fill(0);
      try {
        if (key.length !== KEY_BYTES) throw new UndecryptableTokenError("malformed", "Malformed data key");
        return gcmOpen(key, p.iv, p.body, aadFor(context)).toString("utf8");
      } finally {
        key.fill(0);
      }
    },
  };
}
