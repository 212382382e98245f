/**
 * KMS emulator: an awsJson1_1 server (`X-Amz-Target: TrentService.<Op>`) that the unmodified
 * `@aws-sdk/client-kms` reaches through `endpoint` / `AWS_ENDPOINT_URL_KMS`.
 *
 * Operations: CreateKey, DescribeKey, CreateAlias, EnableKey, DisableKey, GenerateDataKey,
 * Encrypt, Decrypt.
 *
 * Reproduced semantics:
 * - Symmetric encryption keys only (`SYMMETRIC_DEFAULT`, `ENCRYPT_DECRYPT`); ARNs
 *   `arn:aws:kms:<region>:<account>:key/<uuid>`. A key is found by id, key ARN, alias name
 *   (`alias/…`) or alias ARN; anything else is NotFoundException.
 * - The ciphertext blob authenticates the key id and the encryption context (AES-256-GCM under
 *   the key's material, key id + canonical context as additional data), so Decrypt with a
 *   different context, or a tampered or foreign blob, is InvalidCiphertextException, as in KMS
 *   (the context is an exact, case-sensitive match; the order of pairs does not matter).
 * - Decrypt reads the key from the blob; a `KeyId` naming another key is IncorrectKeyException.
 * - A disabled key refuses cryptographic operations with DisabledException.
 * - GenerateDataKey takes `KeySpec` (AES_128 / AES_256) or `NumberOfBytes` (1–1024), not both.
 * - Errors `{"__type", "message"}`: NotFoundException, InvalidCiphertextException,
 *   IncorrectKeyException, DisabledException, AlreadyExistsException, ValidationException,
 *   InvalidAliasNameException.
 *
 * Not reproduced: key policies, grants and IAM (every caller may do everything), asymmetric and
 * HMAC keys, key rotation (one material per key), deletion, multi-Region keys, custom key stores,
 * the real blob layout (blobs are opaque and only this emulator opens them), throttling.
 * `keys` preloads keys with given material (how the local stack keeps sealed tokens readable
 * across `--persist` restarts). Activity events carry key ids and encryption contexts (which KMS
 * logs in CloudTrail too), never key material or plaintext.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import {
  AwsError,
  awsJsonHandler,
  createActivity,
  type JsonBody,
  resolveOptions,
  serve,
  str,
} from "./internal.js";
import type { EmulatorBaseOptions, RunningEmulator } from "./types.js";

/** A key to preload: its id and 32 bytes of material (base64). */
export interface PreloadedKey {
  readonly keyId: string;
  readonly material: string;
  readonly description?: string;
}

export interface KmsEmulatorOptions extends EmulatorBaseOptions {
  readonly keys?: readonly PreloadedKey[];
}

interface Key {
  readonly id: string;
  readonly arn: string;
  readonly description: string;
  readonly material: Buffer;
  readonly created: number;
  enabled: boolean;
}

const MAGIC = Buffer.from("HKMS1", "ascii");
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

const notFound = (m: string) => new AwsError("NotFoundException", m);
const validation = (m: string) => new AwsError("ValidationException", m);
const invalidCiphertext = () => new AwsError("InvalidCiphertextException", "");

/** The encryption context of a request: a string → string map, or none. */
function contextOf(body: JsonBody): [string, string][] {
  const c = body.EncryptionContext;
  if (c === undefined || c === null) return [];
  if (typeof c !== "object" || Array.isArray(c)) throw validation("EncryptionContext must be a map");
  const entries = Object.entries(c as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw validation(`EncryptionContext value for ${k} must be a string`);
  }
  return (entries as [string, string][]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function blobOf(body: JsonBody, member: string): Buffer {
  const v = str(body, member);
  if (v === undefined) throw validation(`${member} is required`);
  return Buffer.from(v, "base64");
}

/** Starts the KMS emulator on loopback (port 0 = ephemeral). */
export async function startKmsEmulator(opts: KmsEmulatorOptions = {}): Promise<RunningEmulator> {
  const o = resolveOptions(opts);
  const { emitter, emit } = createActivity("kms");
  const keys = new Map<string, Key>();
  const aliases = new Map<string, string>();
  const keyArn = (id: string) => `arn:aws:kms:${o.region}:${o.accountId}:key/${id}`;
  const aliasArnPrefix = `arn:aws:kms:${o.region}:${o.accountId}:`;

  const addKey = (id: string, material: Buffer, description: string) => {
    if (material.length !== 32) throw validation("Key material must be 32 bytes");
    const key: Key = { id, arn: keyArn(id), description, material, created: Date.now(), enabled: true };
    keys.set(id, key);
    return key;
  };
  for (const k of opts.keys ?? []) addKey(k.keyId, Buffer.from(k.material, "base64"), k.description ?? "");

  const find = (ref: string | undefined): Key => {
    if (!ref) throw validation("KeyId is required");
    let id = ref;
    if (ref.startsWith(aliasArnPrefix)) id = ref.slice(aliasArnPrefix.length);
    if (id.startsWith("alias/")) {
      const target = aliases.get(id);
      if (!target) throw notFound(`Alias ${ref} is not found.`);
      id = target;
    } else if (ref.startsWith(`${aliasArnPrefix}key/`)) {
      id = ref.slice(aliasArnPrefix.length + 4);
    }
    const key = keys.get(id);
    if (!key) throw notFound(`Key '${keyArn(id)}' does not exist`);
    return key;
  };

  const usable = (key: Key): Key => {
    if (!key.enabled) throw new AwsError("DisabledException", `${key.arn} is disabled.`);
    return key;
  };

  const aad = (key: Key, context: [string, string][]) =>
    Buffer.from(JSON.stringify([key.id, context]), "utf8");

  const seal = (key: Key, plaintext: Buffer, context: [string, string][]): Buffer => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(key, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const id = Buffer.from(key.id, "utf8");
    return Buffer.concat([MAGIC, Buffer.from([id.length]), id, iv, body]);
  };

  /** The key a blob names (it must exist), and its sealed parts. */
  const parseBlob = (blob: Buffer) => {
    const head = MAGIC.length;
    if (blob.length < head + 1 || !blob.subarray(0, head).equals(MAGIC)) throw invalidCiphertext();
    const idLength = blob[head]!;
    const start = head + 1 + idLength;
    if (blob.length < start + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
    const id = blob.subarray(head + 1, start).toString("utf8");
    const key = keys.get(id);
    if (!key) throw invalidCiphertext();
    return { key, iv: blob.subarray(start, start + IV_BYTES), body: blob.subarray(start + IV_BYTES) };
  };

  const open = (key: Key, iv: Buffer, body: Buffer, context: [string, string][]): Buffer => {
    const decipher = createDecipheriv("aes-256-gcm", key.material, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(key, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw invalidCiphertext();
    }
  };

  const metadata = (key: Key) => ({
    KeyId: key.id,
    Arn: key.arn,
    AWSAccountId: o.accountId,
    Description: key.description,
    Enabled: key.enabled,
    KeyState: key.enabled ? "Enabled" : "Disabled",
    KeyUsage: "ENCRYPT_DECRYPT",
    KeySpec: "SYMMETRIC_DEFAULT",
    CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
    EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    KeyManager: "CUSTOMER",
    Origin: "AWS_KMS",
    MultiRegion: false,
    CreationDate: key.created / 1000,
  });

  const contextDetail = (context: [string, string][]) => Object.fromEntries(context);

  const operations: Record<string, (body: JsonBody) => unknown> = {
    CreateKey(body) {
      const spec = str(body, "KeySpec") ?? str(body, "CustomerMasterKeySpec") ?? "SYMMETRIC_DEFAULT";
      const usage = str(body, "KeyUsage") ?? "ENCRYPT_DECRYPT";
      if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
        throw validation("The KMS emulator supports symmetric encryption keys only");
      }
      const key = addKey(randomUUID(), randomBytes(32), str(body, "Description") ?? "");
      emit("key-created", { keyId: key.id });
      return { KeyMetadata: metadata(key) };
    },

    DescribeKey(body) {
      return { KeyMetadata: metadata(find(str(body, "KeyId"))) };
    },

    CreateAlias(body) {
      const name = str(body, "AliasName");
      if (!name || !ALIAS.test(name) || name.startsWith("alias/aws/")) {
        throw new AwsError("InvalidAliasNameException", `Alias ${String(name)} is not valid`);
      }
      if (aliases.has(name))
        throw new AwsError(
          "AlreadyExistsException",
          `An alias with the name ${aliasArnPrefix}${name} already exists`,
        );
      const key = find(str(body, "TargetKeyId"));
      aliases.set(name, key.id);
      emit("alias-created", { alias: name, keyId: key.id });
      return {};
    },

    EnableKey(body) {
      const key = find(str(body, "KeyId"));
      key.enabled = true;
      emit("key-enabled", { keyId: key.id });
      return {};
    },

    DisableKey(body) {
      const key = find(str(body, "KeyId"));
      key.enabled = false;
      emit("key-disabled", { keyId: key.id });
      return {};
    },

    GenerateDataKey(body) {
      const key = usable(find(str(body, "KeyId")));
      const spec = str(body, "KeySpec");
      const n = body.NumberOfBytes;
      if (spec !== undefined && n !== undefined)
        throw validation("Specify KeySpec or NumberOfBytes, not both");
      let bytes: number;
      if (spec === "AES_256") bytes = 32;
      else if (spec === "AES_128") bytes = 16;
      else if (spec !== undefined) throw validation(`Unknown KeySpec ${spec}`);
      else if (typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 1024) bytes = n;
      else throw validation("KeySpec or NumberOfBytes (1-1024) is required");
      const context = contextOf(body);
      const plaintext = randomBytes(bytes);
      const blob = seal(key, plaintext, context);
      emit("data-key-generated", { keyId: key.id, encryptionContext: contextDetail(context) });
      return {
        KeyId: key.arn,
        CiphertextBlob: blob.toString("base64"),
        Plaintext: plaintext.toString("base64"),
      };
    },

    Encrypt(body) {
      const key = usable(find(str(body, "KeyId")));
      const plaintext = blobOf(body, "Plaintext");
      if (plaintext.length < 1 || plaintext.length > 4096) throw validation("Plaintext must be 1-4096 bytes");
      const context = contextOf(body);
      const blob = seal(key, plaintext, context);
      emit("encrypted", { keyId: key.id, encryptionContext: contextDetail(context) });
      return {
        KeyId: key.arn,
        CiphertextBlob: blob.toString("base64"),
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    },

    Decrypt(body) {
      const context = contextOf(body);
      const blob = blobOf(body, "CiphertextBlob");
      const named = str(body, "KeyId");
      const pinned = named === undefined ? undefined : find(named);
      try {
        const { key, iv, body: sealed } = parseBlob(blob);
        if (pinned && pinned.id !== key.id) {
          throw new AwsError(
            "IncorrectKeyException",
            "The key ID in the request does not identify a KMS key that can perform this operation.",
          );
        }
        usable(key);
        const plaintext = open(key, iv, sealed, context);
        emit("decrypted", { keyId: key.id, encryptionContext: contextDetail(context) });
        return {
          KeyId: key.arn,
          Plaintext: plaintext.toString("base64"),
          EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        };
      } catch (error) {
        if (error instanceof AwsError)
          emit("decrypt-refused", {
            keyId: pinned?.id,
            code: error.code,
            encryptionContext: contextDetail(context),
          });
        throw error;
      }
    },
  };

  return serve(o, emitter, awsJsonHandler("TrentService", operations));
}
