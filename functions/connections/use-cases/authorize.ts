/**
 * Start connecting an account: `POST /v1/connections/{provider}/authorize`.
 *
 *   handler → startAuthorization → ReturnUrlPolicy (allow-list) → OAuthStateRepository (hashed,
 *   10-minute single-use state) → ProviderPort.authorizationUrl
 *
 * The state is 256 random bits; only its SHA-256 is stored, bound to tenant, user, provider,
 * return URL, redirect URI, scopes and (LinkedIn with PKCE) the code verifier.
 */
import { createHash, randomBytes } from "node:crypto";
import type { AuthContext } from "../../platform/auth.js";
import { ValidationError } from "../../platform/errors.js";
import type { Provider } from "../domain/connection.js";
import { isAllowedReturnUrl } from "../domain/return-url.js";
import { type ScopePreset, scopesFor } from "../domain/scopes.js";
import type { Clock, OAuthStateRepository, Providers, ReturnUrlPolicy } from "./ports.js";

export const STATE_TTL_SECONDS = 10 * 60;

export const hashState = (state: string) => createHash("sha256").update(state, "utf8").digest("hex");

/** The redirect URI registered with the provider: `${PUBLIC_API_URL}/v1/oauth/{provider}/callback`. */
export const redirectUriFor = (publicApiUrl: string, provider: Provider) =>
  `${publicApiUrl.replace(/\/$/, "")}/v1/oauth/${provider}/callback`;

export interface AuthorizeDeps {
  readonly providers: Providers;
  readonly states: OAuthStateRepository;
  readonly returnUrls: ReturnUrlPolicy;
  readonly clock: Clock;
  readonly publicApiUrl: string;
}

export interface AuthorizeInput {
  readonly auth: AuthContext;
  readonly provider: Provider;
  readonly preset: ScopePreset;
  readonly returnUrl: string;
}

export async function startAuthorization(deps: AuthorizeDeps, input: AuthorizeInput) {
  const allowed = await deps.returnUrls.allowedPrefixes(input.auth.tenantId);
  if (!isAllowedReturnUrl(input.returnUrl, allowed)) {
    throw new ValidationError([
      {
        path: "body.returnUrl",
        code: "return_url_not_allowed",
        message:
          "This return URL is not in your organisation's allow-list (settings.oauthReturnUrls). Add it there first.",
      },
    ]);
  }
  const port = deps.providers[input.provider];
  const state = randomBytes(32).toString("base64url");
  const codeVerifier = port.usesPkce ? randomBytes(32).toString("base64url") : undefined;
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + STATE_TTL_SECONDS;
  const redirectUri = redirectUriFor(deps.publicApiUrl, input.provider);
  const scopes = scopesFor(input.provider, input.preset);
  await deps.states.put({
    stateHash: hashState(state),
    tenantId: input.auth.tenantId,
    userId: input.auth.userId,
    provider: input.provider,
    returnUrl: input.returnUrl,
    redirectUri,
    scopes,
    codeVerifier,
    createdAt: now.toISOString(),
    expiresAt,
  });
  const authorizationUrl = await port.authorizationUrl({ redirectUri, state, scopes, codeVerifier });
  return { authorizationUrl, expiresAt: new Date(expiresAt * 1000).toISOString(), scopes };
}
