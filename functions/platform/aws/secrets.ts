/**
 * Secrets Manager access with an in-memory cache per cold start. Secrets are JSON documents;
 * `getSecretJson` returns the current version and, during rotation, `getPreviousSecretJson`
 * gives AWSPREVIOUS so that the old value is still accepted.
 * Endpoint: `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";

export const secretsManager = new SecretsManagerClient({});

const DEFAULT_TTL_MS = 5 * 60 * 1000;
const cache = new Map<string, { at: number; value: unknown }>();

async function fetchJson(secretId: string, stage: "AWSCURRENT" | "AWSPREVIOUS"): Promise<unknown> {
  const key = `${secretId}@${stage}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < DEFAULT_TTL_MS) return hit.value;
  try {
    const out = await secretsManager.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
    );
    const value = out.SecretString === undefined ? undefined : (JSON.parse(out.SecretString) as unknown);
    cache.set(key, { at: Date.now(), value });
    return value;
  } catch (error) {
    if (stage === "AWSPREVIOUS" && error instanceof ResourceNotFoundException) {
      cache.set(key, { at: Date.now(), value: undefined });
      return undefined;
    }
    throw error;
  }
}

export const getSecretJson = (secretId: string) => fetchJson(secretId, "AWSCURRENT");
export const getPreviousSecretJson = (secretId: string) => fetchJson(secretId, "AWSPREVIOUS");
