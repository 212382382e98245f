/**
 * Meta's app callbacks (public): deauthorize (`POST /v1/meta/deauthorize`) and data deletion
 * (`POST /v1/meta/data-deletion`, status at `GET /v1/meta/data-deletion/{code}`).
 *
 *   handler → these use cases → verifySignedRequest (app secret, current or previous)
 *   → ConnectionRepository.findByAccountEverywhere (GSI2 on account items)
 *   → erase tokens, REVOKED, targets follow → AuditRepository, ConnectionEvents
 *   → DataDeletionRepository (status record)
 */
import { randomBytes } from "node:crypto";
import { NotFoundError, UnauthorizedError } from "../../platform/errors.js";
import { newId } from "../../platform/keys.js";
import { verifySignedRequest } from "../domain/signed-request.js";
import type {
  AuditRepository,
  Clock,
  ConnectionEvents,
  ConnectionRepository,
  DataDeletionRepository,
  TargetRepository,
} from "./ports.js";
import { takeOutOfService } from "./targets.js";

export interface MetaCallbackDeps {
  readonly connections: ConnectionRepository;
  readonly targets: TargetRepository;
  readonly audit: AuditRepository;
  readonly events: ConnectionEvents;
  readonly deletions: DataDeletionRepository;
  readonly clock: Clock;
  /** The Meta app secret(s): current first, then the previous during a rotation. */
  readonly appSecrets: () => Promise<readonly string[]>;
}

async function verified(deps: MetaCallbackDeps, signedRequest: string | undefined) {
  const secrets = await deps.appSecrets();
  const payload = signedRequest ? verifySignedRequest(signedRequest, secrets) : undefined;
  if (!payload)
    throw new UnauthorizedError("The signed_request is missing or its signature does not verify.");
  return payload;
}

/** Erase the tokens of every connection (in any tenant) of this Meta user and mark them REVOKED. */
async function revokeMetaUser(deps: MetaCallbackDeps, userId: string, why: string, forget: boolean) {
  const refs = await deps.connections.findByAccountEverywhere("meta", userId);
  const now = deps.clock.now().toISOString();
  let affected = 0;
  for (const ref of refs) {
    const c = await deps.connections.get(ref.tenantId, ref.id);
    if (!c) continue;
    affected++;
    const hadTokens = c.accessToken !== undefined;
    const targetIds = await takeOutOfService(deps, c, {
      status: c.status === "DISCONNECTED" ? "DISCONNECTED" : "REVOKED",
      why,
      reconnect: c.status !== "DISCONNECTED",
      targetStatus: forget ? "DISCONNECTED" : "NEEDS_REAUTH",
      eraseTokens: true,
      ...(hadTokens ? { announce: "revoked" as const } : {}),
      now,
      ...(forget ? { patch: { displayName: undefined } } : {}),
    });
    if (hadTokens) {
      await deps.audit.append({
        tenantId: c.tenantId,
        id: newId("aud"),
        connectionId: c.id,
        provider: "meta",
        type: "revoked",
        actor: { type: "provider", id: forget ? "meta:data-deletion" : "meta:deauthorize" },
        outcome: "success",
        details: { targets: targetIds.length },
        at: now,
      });
    }
  }
  return affected;
}

export async function metaDeauthorize(deps: MetaCallbackDeps, signedRequest: string | undefined) {
  const payload = await verified(deps, signedRequest);
  const affected = await revokeMetaUser(
    deps,
    payload.user_id,
    "The account owner removed Herald from their Facebook settings.",
    false,
  );
  return { affected };
}

export async function metaDataDeletion(
  deps: MetaCallbackDeps,
  signedRequest: string | undefined,
  publicApiUrl: string,
) {
  const payload = await verified(deps, signedRequest);
  const requestedAt = deps.clock.now().toISOString();
  const affected = await revokeMetaUser(
    deps,
    payload.user_id,
    "The account owner asked Meta to delete their data from Herald.",
    true,
  );
  const confirmationCode = randomBytes(12).toString("base64url");
  const now = deps.clock.now();
  await deps.deletions.put({
    confirmationCode,
    status: "completed",
    connectionsAffected: affected,
    requestedAt,
    completedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + 365 * 24 * 3600,
  });
  return {
    url: `${publicApiUrl.replace(/\/$/, "")}/v1/meta/data-deletion/${confirmationCode}`,
    confirmation_code: confirmationCode,
  };
}

export async function metaDataDeletionStatus(deps: Pick<MetaCallbackDeps, "deletions">, code: string) {
  const record = await deps.deletions.get(code);
  if (!record) throw new NotFoundError("No data-deletion request has this confirmation code.");
  return {
    confirmationCode: record.confirmationCode,
    status: record.status,
    requestedAt: record.requestedAt,
    completedAt: record.completedAt,
  };
}
