/**
 * Secrets Manager emulator: an awsJson1_1 server (`X-Amz-Target: secretsmanager.<Op>`) that
 * the unmodified `@aws-sdk/client-secrets-manager` reaches through `endpoint` /
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 *
 * Operations: CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret,
 * UpdateSecretVersionStage, ListSecrets, DeleteSecret, RestoreSecret.
 *
 * Reproduced semantics:
 * - ARNs `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random chars>`; a secret is
 *   found by name, full ARN or ARN without the suffix.
 * - Versions and staging labels: a new value becomes AWSCURRENT, the version it replaced becomes
 *   AWSPREVIOUS and the one before loses its labels (it stays readable by VersionId, unlisted
 *   in VersionIdsToStages). PutSecretValue with other VersionStages (e.g. AWSPENDING) leaves
 *   AWSCURRENT alone; UpdateSecretVersionStage moves a label and, for AWSCURRENT, hands
 *   AWSPREVIOUS to the version it came from — the rotation sequence.
 * - ClientRequestToken is the VersionId: replaying it with the same value is a no-op, with a
 *   different value a ResourceExistsException.
 * - GetSecretValue by VersionId and/or VersionStage (AWSCURRENT by default).
 * - DeleteSecret with a recovery window (7–30 days, default 30: reads then fail with
 *   InvalidRequestException until RestoreSecret) or ForceDeleteWithoutRecovery (gone at once).
 * - Errors `{"__type", "message"}`: ResourceNotFoundException, ResourceExistsException,
 *   InvalidRequestException, InvalidParameterException.
 *
 * Not reproduced: rotation Lambdas and schedules, KMS encryption, replication, resource
 * policies, tag operations, deletion after the recovery window (a scheduled secret stays until
 * restored or force-deleted), the limit of ~100 deprecated versions, throttling.
 * Activity events carry names, version ids and labels — never values.
 */
import { randomBytes, randomUUID } from "node:crypto";
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

interface Version {
  readonly id: string;
  readonly secretString?: string;
  readonly secretBinary?: string;
  readonly created: number;
  readonly stages: Set<string>;
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: { Key: string; Value: string }[];
  readonly created: number;
  lastChanged: number;
  lastAccessed?: number;
  /** When DeleteSecret scheduled it for deletion. */
  deleted?: number;
  readonly versions: Map<string, Version>;
}

const CURRENT = "AWSCURRENT";
const PREVIOUS = "AWSPREVIOUS";
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const DAY_MS = 86_400_000;

const invalidParameter = (m: string) => new AwsError("InvalidParameterException", m);
const invalidRequest = (m: string) => new AwsError("InvalidRequestException", m);
const notFound = (m: string) => new AwsError("ResourceNotFoundException", m);
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** Starts the Secrets Manager emulator on loopback (port 0 = ephemeral). */
export async function startSecretsManagerEmulator(opts: EmulatorBaseOptions = {}): Promise<RunningEmulator> {
  const o = resolveOptions(opts);
  const { emitter, emit } = createActivity("secretsmanager");
  const secrets = new Map<string, Secret>();

  const suffix = () => {
    const bytes = randomBytes(6);
    return [...bytes].map((b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join("");
  };

  const find = (body: JsonBody): Secret => {
    const id = str(body, "SecretId");
    if (!id) throw invalidParameter("SecretId is required.");
    const byName = secrets.get(id);
    if (byName) return byName;
    for (const s of secrets.values()) {
      // Full ARN, or the ARN without its random suffix ("partial ARN").
      if (s.arn === id || s.arn.slice(0, -7) === id) return s;
    }
    throw notFound("Secrets Manager can't find the specified secret.");
  };

  const live = (s: Secret): Secret => {
    if (s.deleted !== undefined) {
      throw invalidRequest(
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return s;
  };

  const secretValueIn = (body: JsonBody) => {
    const secretString = str(body, "SecretString");
    const secretBinary = str(body, "SecretBinary");
    if (secretString !== undefined && secretBinary !== undefined) {
      throw invalidParameter(
        "You can't specify both a binary secret value and a string secret value in the same secret.",
      );
    }
    return { secretString, secretBinary };
  };

  /** Gives `stage` to `target` alone; moving AWSCURRENT hands AWSPREVIOUS to the old holder. */
  const moveStage = (s: Secret, stage: string, target: Version | undefined) => {
    const holder = [...s.versions.values()].find((v) => v.stages.has(stage));
    if (holder === target) return;
    holder?.stages.delete(stage);
    target?.stages.add(stage);
    if (stage === CURRENT && holder) {
      for (const v of s.versions.values()) v.stages.delete(PREVIOUS);
      holder.stages.add(PREVIOUS);
    }
  };

  /** Adds a version (or recognises a replayed token); returns it. */
  const addVersion = (s: Secret, body: JsonBody, stages: string[]): Version => {
    const { secretString, secretBinary } = secretValueIn(body);
    if (secretString === undefined && secretBinary === undefined) {
      throw invalidParameter("You must provide either SecretString or SecretBinary.");
    }
    const token = str(body, "ClientRequestToken") ?? randomUUID();
    if (token.length < 32 || token.length > 64)
      throw invalidParameter("ClientRequestToken must be 32-64 characters.");
    const existing = s.versions.get(token);
    if (existing) {
      if (existing.secretString === secretString && existing.secretBinary === secretBinary) return existing;
      throw new AwsError(
        "ResourceExistsException",
        `A version with VersionId ${token} already exists with a different value.`,
      );
    }
    const version: Version = {
      id: token,
      secretString,
      secretBinary,
      created: Date.now(),
      stages: new Set(),
    };
    s.versions.set(token, version);
    for (const stage of stages) moveStage(s, stage, version);
    s.lastChanged = Date.now();
    return version;
  };

  const stagesOf = (s: Secret) =>
    Object.fromEntries(
      [...s.versions.values()].filter((v) => v.stages.size > 0).map((v) => [v.id, [...v.stages]]),
    );

  const describe = (s: Secret) => ({
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(s.kmsKeyId !== undefined ? { KmsKeyId: s.kmsKeyId } : {}),
    RotationEnabled: false,
    LastChangedDate: seconds(s.lastChanged),
    LastAccessedDate: seconds(s.lastAccessed),
    DeletedDate: seconds(s.deleted),
    Tags: s.tags,
    CreatedDate: seconds(s.created),
  });

  const operations: Record<string, (body: JsonBody) => unknown> = {
    CreateSecret(body) {
      const name = str(body, "Name");
      if (!name || !NAME.test(name))
        throw invalidParameter("Invalid name. Must be 1-512 characters of [A-Za-z0-9/_+=.@-].");
      const existing = secrets.get(name);
      const token = str(body, "ClientRequestToken");
      if (existing) {
        if (existing.deleted !== undefined) {
          throw invalidRequest(
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          );
        }
        const replayed = token ? existing.versions.get(token) : undefined;
        const { secretString, secretBinary } = secretValueIn(body);
        if (replayed && replayed.secretString === secretString && replayed.secretBinary === secretBinary) {
          return { ARN: existing.arn, Name: existing.name, VersionId: replayed.id };
        }
        throw new AwsError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const now = Date.now();
      const secret: Secret = {
        name,
        arn: `arn:aws:secretsmanager:${o.region}:${o.accountId}:secret:${name}-${suffix()}`,
        description: str(body, "Description"),
        kmsKeyId: str(body, "KmsKeyId"),
        tags: Array.isArray(body.Tags) ? (body.Tags as { Key: string; Value: string }[]) : [],
        created: now,
        lastChanged: now,
        versions: new Map(),
      };
      const { secretString, secretBinary } = secretValueIn(body);
      const version =
        secretString !== undefined || secretBinary !== undefined
          ? addVersion(secret, body, [CURRENT])
          : undefined;
      secrets.set(name, secret);
      emit("secret-created", { name, arn: secret.arn, versionId: version?.id });
      return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.id } : {}) };
    },

    GetSecretValue(body) {
      const s = live(find(body));
      const versionId = str(body, "VersionId");
      const stage = str(body, "VersionStage") ?? (versionId ? undefined : CURRENT);
      const version = versionId
        ? s.versions.get(versionId)
        : [...s.versions.values()].find((v) => stage !== undefined && v.stages.has(stage));
      if (!version || (stage !== undefined && !version.stages.has(stage))) {
        throw notFound(
          `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`,
        );
      }
      s.lastAccessed = Date.now();
      emit("secret-read", { name: s.name, versionId: version.id, stages: [...version.stages] });
      return {
        ARN: s.arn,
        Name: s.name,
        VersionId: version.id,
        ...(version.secretString !== undefined ? { SecretString: version.secretString } : {}),
        ...(version.secretBinary !== undefined ? { SecretBinary: version.secretBinary } : {}),
        VersionStages: [...version.stages],
        CreatedDate: seconds(version.created),
      };
    },

    PutSecretValue(body) {
      const s = live(find(body));
      const stages = Array.isArray(body.VersionStages) ? body.VersionStages.map(String) : [CURRENT];
      const version = addVersion(s, body, stages);
      emit("secret-value-put", { name: s.name, versionId: version.id, stages: [...version.stages] });
      return { ARN: s.arn, Name: s.name, VersionId: version.id, VersionStages: [...version.stages] };
    },

    DescribeSecret(body) {
      const s = find(body);
      return { ...describe(s), VersionIdsToStages: stagesOf(s) };
    },

    UpdateSecretVersionStage(body) {
      const s = live(find(body));
      const stage = str(body, "VersionStage");
      if (!stage) throw invalidParameter("VersionStage is required.");
      const moveTo = str(body, "MoveToVersionId");
      const removeFrom = str(body, "RemoveFromVersionId");
      const holder = [...s.versions.values()].find((v) => v.stages.has(stage));
      const target = moveTo === undefined ? undefined : s.versions.get(moveTo);
      if (moveTo !== undefined && !target) throw invalidParameter(`Version ${moveTo} does not exist.`);
      if (removeFrom !== undefined && holder?.id !== removeFrom) {
        throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
      }
      if (holder && holder !== target && removeFrom === undefined) {
        throw invalidParameter(
          `The staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (!target && stage === CURRENT)
        throw invalidParameter("AWSCURRENT can only be moved to another version, not removed.");
      moveStage(s, stage, target);
      s.lastChanged = Date.now();
      emit("secret-stage-moved", { name: s.name, stage, from: holder?.id, to: target?.id });
      return { ARN: s.arn, Name: s.name };
    },

    ListSecrets(body) {
      const includeDeleted = body.IncludePlannedDeletion === true;
      const filters = Array.isArray(body.Filters)
        ? (body.Filters as { Key?: string; Values?: string[] }[])
        : [];
      const matches = (s: Secret) =>
        filters.every(({ Key, Values = [] }) =>
          Values.some((v) => {
            const tagKeys = s.tags.map((t) => t.Key);
            const tagValues = s.tags.map((t) => t.Value);
            if (Key === "name") return s.name.startsWith(v);
            if (Key === "description") return (s.description ?? "").startsWith(v);
            if (Key === "tag-key") return tagKeys.some((k) => k.startsWith(v));
            if (Key === "tag-value") return tagValues.some((k) => k.startsWith(v));
            if (Key === "all")
              return [s.name, s.description ?? "", ...tagKeys, ...tagValues].some((x) => x.startsWith(v));
            throw invalidParameter(`Unknown filter key ${String(Key)}.`);
          }),
        );
      const all = [...secrets.values()]
        .filter((s) => (includeDeleted || s.deleted === undefined) && matches(s))
        .sort((a, b) => (body.SortOrder === "desc" ? b.created - a.created : a.created - b.created));
      const max = typeof body.MaxResults === "number" ? body.MaxResults : 100;
      if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidParameter("MaxResults must be 1-100.");
      const start = body.NextToken ? Number(Buffer.from(String(body.NextToken), "base64url").toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalidParameter("Invalid NextToken.");
      const items = all.slice(start, start + max);
      const end = start + items.length;
      return {
        SecretList: items.map((s) => ({ ...describe(s), SecretVersionsToStages: stagesOf(s) })),
        ...(end < all.length ? { NextToken: Buffer.from(String(end)).toString("base64url") } : {}),
      };
    },

    DeleteSecret(body) {
      const s = find(body);
      const force = body.ForceDeleteWithoutRecovery === true;
      const days = body.RecoveryWindowInDays;
      if (force && days !== undefined) {
        throw invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (force) {
        secrets.delete(s.name);
        emit("secret-deleted", { name: s.name, force: true });
        return { ARN: s.arn, Name: s.name, DeletionDate: seconds(Date.now()) };
      }
      const window = days === undefined ? 30 : Number(days);
      if (!Number.isInteger(window) || window < 7 || window > 30) {
        throw invalidParameter("RecoveryWindowInDays must be 7-30.");
      }
      if (s.deleted !== undefined) throw invalidRequest("The secret is already scheduled for deletion.");
      s.deleted = Date.now();
      emit("secret-deleted", { name: s.name, force: false, recoveryWindowInDays: window });
      return { ARN: s.arn, Name: s.name, DeletionDate: seconds(s.deleted + window * DAY_MS) };
    },

    RestoreSecret(body) {
      const s = find(body);
      s.deleted = undefined;
      emit("secret-restored", { name: s.name });
      return { ARN: s.arn, Name: s.name };
    },
  };

  return serve(o, emitter, awsJsonHandler("secretsmanager", operations));
}
