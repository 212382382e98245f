/**
 * The token vault: envelope encryption for provider tokens at rest.
 *
 * Each `seal` draws a fresh 256-bit data key, encrypts the token with it (AES-256-GCM), then
 * wraps the data key with the key-encryption key (KEK) named by the keyring's `current` id
 * (AES-256-GCM again). The sealed string records the KEK id, so a rotation (new `current`,
 * old ids kept in `keys`, or still in the secret's AWSPREVIOUS version) keeps old tokens
 * readable. Both layers authenticate the same additional data,
 * `tenant:<t>|connection:<id>|<purpose>`, so a sealed token copied into another tenant's
 * or another connection's item, or used for another purpose, fails to open.
 *
 * Sealed format (one string, stored as is):
 * `hv1.<kid>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** The `tokenKeys` secret: KEK ids → base64 of 32 random bytes; `current` seals new tokens. */
export interface TokenKeyring {
  readonly current: string;
  readonly keys: Readonly<Record<string, string>>;
}

/** What a sealed token is bound to. */
export interface TokenContext {
  readonly tenantId: string;
  readonly connectionId: string;
  /** `access_token`, `refresh_token`, `page_token:<pageId>`, … */
  readonly purpose: string;
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
 * This sealed token can never be opened with the keys we hold: it was sealed for another
 * tenant/connection/purpose, its key was rotated out of the keyring (and AWSPREVIOUS), it was
 * tampered with, or it is not a sealed value at all. Retrying cannot heal it; a new grant
 * (reconnect) replaces it.
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
 * The keyring itself is unusable (the secret is not a keyring, the current key id is missing
 * or a key is not 32 bytes): no token can be sealed or opened until an operator fixes the
 * secret. Reconnecting would not help.
 */
export class TokenKeyringError extends TokenVaultError {}

export interface TokenVault {
  seal(plaintext: string, context: TokenContext): Promise<string>;
  open(sealed: string, context: TokenContext): Promise<string>;
  /** The KEK id a sealed value was wrapped with (for re-sealing after a rotation). */
  keyIdOf(sealed: string): string;
}

const VERSION = "hv1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KID = /^[A-Za-z0-9_-]{1,64}$/;

/** The additional authenticated data for a context; `|` and `:` inside values are escaped. */
export const aadFor = (c: TokenContext): Buffer => {
  const esc = (s: string) => s.replaceAll("\\", "\\\\").replaceAll("|", "\\|");
  return Buffer.from(`tenant:${esc(c.tenantId)}|connection:${esc(c.connectionId)}|${esc(c.purpose)}`, "utf8");
};

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

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

function decodeKey(kid: string, b64: string): Buffer {
  const key = Buffer.from(b64, "base64");
  if (key.length !== KEY_BYTES) throw new TokenKeyringError(`Key ${kid} is not 32 bytes`);
  return key;
}

/**
 * Build a vault over keyrings. `loadKeyrings` returns the current keyring first and any
 * older versions after it (AWSPREVIOUS); it is called per operation, so cache inside it.
 */
export function createTokenVault(
  loadKeyrings: () => Promise<readonly (TokenKeyring | undefined)[]>,
): TokenVault {
  const currentKey = async () => {
    const [ring] = await loadKeyrings();
    if (!ring) throw new TokenKeyringError("No token keyring is configured");
    const b64 = ring.keys[ring.current];
    if (!b64 || !KID.test(ring.current))
      throw new TokenKeyringError(`Current key id ${ring.current} is unusable`);
    return { kid: ring.current, key: decodeKey(ring.current, b64) };
  };
  const keyById = async (kid: string) => {
    for (const ring of await loadKeyrings()) {
      const b64 = ring?.keys[kid];
      if (b64) return decodeKey(kid, b64);
    }
    throw new UndecryptableTokenError("unknown_key", `Unknown key id ${kid}`);
  };
  const parse = (sealed: string) => {
    const parts = sealed.split(".");
    if (parts.length !== 6 || parts[0] !== VERSION || !KID.test(parts[1] ?? "")) {
      throw new UndecryptableTokenError("malformed", "Malformed sealed token");
    }
    const [, kid, wrapIv, wrapped, iv, body] = parts as [string, string, string, string, string, string];
    const b = (s: string) => Buffer.from(s, "base64url");
    return { kid, wrapIv: b(wrapIv), wrapped: b(wrapped), iv: b(iv), body: b(body) };
  };

  return {
    async seal(plaintext, context) {
      const { kid, key } = await currentKey();
      const aad = aadFor(context);
      const dataKey = randomBytes(KEY_BYTES);
      try {
        const wrap = gcmSeal(key, dataKey, Buffer.concat([Buffer.from(`${VERSION}|${kid}|`), aad]));
        const enc = gcmSeal(dataKey, Buffer.from(plaintext, "utf8"), aad);
        const s = (x: Buffer) => x.toString("base64url");
        return [VERSION, kid, s(wrap.iv), s(wrap.body), s(enc.iv), s(enc.body)].join(".");
      } finally {
        dataKey.fill(0);
      }
    },
    async open(sealed, context) {
      const p = parse(sealed);
      const kek = await keyById(p.kid);
      const aad = aadFor(context);
      const dataKey = gcmOpen(
        kek,
        p.wrapIv,
        p.wrapped,
        Buffer.concat([Buffer.from(`${VERSION}|${p.kid}|`), aad]),
      );
      if (dataKey.length !== KEY_BYTES) throw new UndecryptableTokenError("malformed", "Malformed data key");
      try {
        return gcmOpen(dataKey, p.iv, p.body, aad).toString("utf8");
      } finally {
        dataKey.fill(0);
      }
    },
    keyIdOf(sealed) {
      return parse(sealed).kid;
    },
  };
}

const isKeyring = (v: unknown): v is TokenKeyring =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as TokenKeyring).current === "string" &&
  typeof (v as TokenKeyring).keys === "object" &&
  (v as TokenKeyring).keys !== null;

/**
 * Keyrings from the Secrets Manager secret `tokenKeys` (current version, then AWSPREVIOUS).
 * The secret helpers cache values for a few minutes per cold start.
 */
export function secretsKeyrings(
  secretId: string,
  getCurrent: (id: string) => Promise<unknown>,
  getPrevious: (id: string) => Promise<unknown>,
): () => Promise<(TokenKeyring | undefined)[]> {
  return async () => {
    const [current, previous] = await Promise.all([getCurrent(secretId), getPrevious(secretId)]);
    if (!isKeyring(current)) throw new TokenKeyringError(`Secret ${secretId} is not a token keyring`);
    return [current, isKeyring(previous) ? previous : undefined];
  };
}

/** A fresh random KEK (base64), for tests and the local stack's seeding. */
export const generateKeyMaterial = () => randomBytes(KEY_BYTES).toString("base64");
