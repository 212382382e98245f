/**
 * The connections context's composition root. Each builder reads and validates its own
 * configuration through `loadConfig` when a handler module loads (cold start), so a missing
 * variable fails the first invocation with its name; adapters are built from the shared
 * per-cold-start clients in functions/platform/aws/. This is the only connections file that
 * imports another context's wiring (tenant settings), and the one other contexts import to
 * reach this one: the publish worker takes `targetResolver()` (or `tokenResolver` with
 * `tableDeps`/`vaultDeps`/`eventDeps`), `appCredentialsLoader` and `providerConfig` from here.
 */
import * as z from "../../schemas/zod.js";
import { dynamodb } from "../platform/aws/dynamodb.js";
import { eventbridge } from "../platform/aws/eventbridge.js";
import { kmsDataKeys } from "../platform/aws/kms.js";
import { getPreviousSecretJson, getSecretJson } from "../platform/aws/secrets.js";
import { configFields, loadConfig } from "../platform/config.js";
import { createTokenVault } from "../platform/crypto/token-vault.js";
import { DEFAULT_LINKEDIN_VERSION } from "../providers/linkedin/client.js";
import { DEFAULT_META_GRAPH_VERSION, type MetaAppCredentials } from "../providers/meta/client.js";
import { settingsReader } from "../tenants/wiring.js";
import { dynamoAuditRepository } from "./adapters/audit-repository.js";
import { dynamoConnectionRepository } from "./adapters/connection-repository.js";
import { dynamoDataDeletionRepository } from "./adapters/data-deletion-repository.js";
import { eventBridgeConnectionEvents } from "./adapters/events.js";
import { linkedInClientFactory, linkedInProvider } from "./adapters/linkedin-provider.js";
import { metaClientFactory, metaProvider } from "./adapters/meta-provider.js";
import { dynamoOAuthStateRepository } from "./adapters/oauth-state-repository.js";
import { parseDefaults, returnUrlPolicy } from "./adapters/return-urls.js";
import { dynamoTargetRepository } from "./adapters/target-repository.js";
import { type Providers, systemClock } from "./use-cases/ports.js";
import { tokenResolver } from "./use-cases/resolve-target.js";

export const clock = systemClock;

export function tableDeps() {
  const { TABLE_NAME } = loadConfig({ TABLE_NAME: configFields.required() });
  return {
    connections: dynamoConnectionRepository(dynamodb, TABLE_NAME),
    targets: dynamoTargetRepository(dynamodb, TABLE_NAME),
    audit: dynamoAuditRepository(dynamodb, TABLE_NAME),
    states: dynamoOAuthStateRepository(dynamodb, TABLE_NAME),
    deletions: dynamoDataDeletionRepository(dynamodb, TABLE_NAME),
  };
}

/**
 * Everything the handlers that act on a live grant use (disconnect, target refresh, token
 * refresh, OAuth callback): the stores, the token vault, the providers and the event bus.
 * Pass `table` when the handler also needs another store from it.
 */
export function grantDeps(table: ReturnType<typeof tableDeps> = tableDeps()) {
  return {
    connections: table.connections,
    targets: table.targets,
    audit: table.audit,
    vault: vaultDeps(),
    providers: providerDeps(),
    events: eventDeps(),
    clock,
  };
}

/** The token vault over the stage's KMS token key (`TOKEN_KEY_ID`). */
export function vaultDeps() {
  const { TOKEN_KEY_ID } = loadConfig({ TOKEN_KEY_ID: configFields.required() });
  return createTokenVault(kmsDataKeys(TOKEN_KEY_ID));
}

const AppCredentialsSchema = z.object({
  meta: z.object({ appId: z.string(), appSecret: z.string() }),
  linkedin: z.object({ clientId: z.string(), clientSecret: z.string() }),
});
type AppCredentials = z.infer<typeof AppCredentialsSchema>;

/** Provider app credentials from Secrets Manager (cached per cold start; AWSPREVIOUS for rotations). */
export function appCredentialsLoader() {
  const { APP_CREDENTIALS_SECRET_ID } = loadConfig({ APP_CREDENTIALS_SECRET_ID: configFields.required() });
  const current = async (): Promise<AppCredentials> =>
    AppCredentialsSchema.parse(await getSecretJson(APP_CREDENTIALS_SECRET_ID));
  /** Meta app secrets accepted on signed requests: current, then AWSPREVIOUS during a rotation. */
  const metaSecrets = async (): Promise<string[]> => {
    const [cur, prev] = await Promise.all([current(), getPreviousSecretJson(APP_CREDENTIALS_SECRET_ID)]);
    const previous = AppCredentialsSchema.safeParse(prev);
    return [cur.meta.appSecret, ...(previous.success ? [previous.data.meta.appSecret] : [])].filter(
      (s, i, all) => s.length > 0 && all.indexOf(s) === i,
    );
  };
  return { current, metaSecrets };
}

/** Provider base URLs and API versions (the `providers` binding), read once per cold start. */
export function providerConfig() {
  return loadConfig({
    META_GRAPH_URL: configFields.url(),
    META_WWW_URL: configFields.url(),
    LINKEDIN_API_URL: configFields.url(),
    LINKEDIN_WWW_URL: configFields.url(),
    META_GRAPH_VERSION: configFields.optional(),
    LINKEDIN_VERSION: configFields.optional(),
    LINKEDIN_PKCE: configFields.optional(),
  });
}

export function providerDeps(): Providers {
  const cfg = providerConfig();
  const creds = appCredentialsLoader();
  const meta = metaClientFactory(
    {
      graphUrl: cfg.META_GRAPH_URL,
      wwwUrl: cfg.META_WWW_URL,
      version: cfg.META_GRAPH_VERSION || DEFAULT_META_GRAPH_VERSION,
    },
    async (): Promise<MetaAppCredentials> => (await creds.current()).meta,
  );
  const linkedin = linkedInClientFactory(
    {
      apiUrl: cfg.LINKEDIN_API_URL,
      wwwUrl: cfg.LINKEDIN_WWW_URL,
      version: cfg.LINKEDIN_VERSION || DEFAULT_LINKEDIN_VERSION,
    },
    async () => (await creds.current()).linkedin,
  );
  return {
    meta: metaProvider(meta, clock),
    linkedin: linkedInProvider(linkedin, clock, { pkce: cfg.LINKEDIN_PKCE === "true" }),
  };
}

export function metaSecretsDeps() {
  return appCredentialsLoader().metaSecrets;
}

export function eventDeps() {
  const { EVENT_BUS_NAME } = loadConfig({ EVENT_BUS_NAME: configFields.required() });
  return eventBridgeConnectionEvents(eventbridge, EVENT_BUS_NAME);
}

export function publicApiUrl() {
  return loadConfig({ PUBLIC_API_URL: configFields.url() }).PUBLIC_API_URL;
}

export function returnUrlDeps() {
  const { OAUTH_RETURN_URL_DEFAULTS } = loadConfig({ OAUTH_RETURN_URL_DEFAULTS: configFields.optional() });
  return returnUrlPolicy(settingsReader(), parseDefaults(OAUTH_RETURN_URL_DEFAULTS));
}

/** The target resolver use case; the publish worker builds it with `tableDeps`, `vaultDeps` and `eventDeps`. */
export { tokenResolver };

/** The publish worker's `TargetResolver`, built whole (stores, vault, event bus). */
export function targetResolver() {
  const { connections, targets } = tableDeps();
  return tokenResolver({ connections, targets, vault: vaultDeps(), events: eventDeps() });
}
