/**
 * ProviderPort for LinkedIn: 3-legged OAuth (PKCE when enabled for the app), refresh tokens
 * for approved partners, the member and the organisations the member administers.
 */
import { isProviderError } from "../../providers/errors.js";
import { LinkedInClient, type LinkedInClientConfig, pkceChallenge } from "../../providers/linkedin/client.js";
import type { Clock, DiscoveredTarget, ProviderPort } from "../use-cases/ports.js";

export type LinkedInClientFactory = () => Promise<LinkedInClient>;

export const linkedInClientFactory =
  (
    config: Omit<LinkedInClientConfig, "credentials">,
    credentials: () => Promise<LinkedInClientConfig["credentials"]>,
  ): LinkedInClientFactory =>
  async () =>
    new LinkedInClient({ ...config, credentials: await credentials() });

const expiry = (clock: Clock, seconds: number | undefined) =>
  seconds && seconds > 0 ? new Date(clock.now().getTime() + seconds * 1000).toISOString() : undefined;

const ORG_SCOPES = ["r_organization_admin", "rw_organization_admin", "w_organization_social"];

/** LinkedIn may answer 65601 for a token issued seconds ago [R]; one retry after a short pause. */
async function userinfoAfterConsent(li: LinkedInClient, token: string) {
  try {
    return await li.userinfo(token);
  } catch (error) {
    if (!(isProviderError(error) && error.classification === "revoked")) throw error;
    await new Promise((resolve) => setTimeout(resolve, 500));
    return li.userinfo(token);
  }
}

async function discover(
  li: LinkedInClient,
  token: string,
  scopes: readonly string[],
): Promise<{ sub: string; name?: string; targets: DiscoveredTarget[] }> {
  const member = await userinfoAfterConsent(li, token);
  const targets: DiscoveredTarget[] = [
    {
      platform: "linkedin",
      kind: "linkedin_member",
      externalId: `urn:li:person:${member.sub}`,
      name: member.name ?? member.sub,
      pictureUrl: member.pictureUrl,
    },
  ];
  // Organisation pages need the Community Management scopes; without them the member is the only target.
  if (scopes.length === 0 || scopes.some((s) => ORG_SCOPES.includes(s))) {
    try {
      for (const org of await li.administeredOrganizations(token)) {
        targets.push({
          platform: "linkedin",
          kind: "linkedin_organization",
          externalId: org.urn,
          name: org.name,
          username: org.vanityName,
        });
      }
    } catch (error) {
      // A member token without organisation access answers 403: keep the member target.
      if (!(isProviderError(error) && error.classification === "auth")) throw error;
    }
  }
  return { sub: member.sub, name: member.name, targets };
}

export function linkedInProvider(
  client: LinkedInClientFactory,
  clock: Clock,
  options: { pkce: boolean },
): ProviderPort {
  return {
    provider: "linkedin",
    usesPkce: options.pkce,
    async authorizationUrl({ redirectUri, state, scopes, codeVerifier }) {
      const codeChallenge = options.pkce && codeVerifier ? pkceChallenge(codeVerifier) : undefined;
      return (await client()).authorizationUrl({ redirectUri, state, scopes, codeChallenge });
    },
    async completeAuthorization({ code, redirectUri, codeVerifier }) {
      const li = await client();
      const grant = await li.exchangeCode(code, redirectUri, options.pkce ? codeVerifier : undefined);
      const who = await discover(li, grant.accessToken, grant.scopes);
      return {
        externalAccountId: who.sub,
        displayName: who.name,
        scopes: grant.scopes,
        accessToken: grant.accessToken,
        accessTokenExpiresAt: expiry(clock, grant.expiresIn),
        refreshToken: grant.refreshToken,
        refreshTokenExpiresAt: expiry(clock, grant.refreshTokenExpiresIn),
        targets: who.targets,
      };
    },
    async listTargets(accessToken) {
      return (await discover(await client(), accessToken, [])).targets;
    },
    async renew({ refreshToken }) {
      if (!refreshToken) return { kind: "not_renewable", reason: "no_refresh_token" };
      const grant = await (await client()).refresh(refreshToken);
      return {
        kind: "renewed",
        accessToken: grant.accessToken,
        accessTokenExpiresAt: expiry(clock, grant.expiresIn),
        refreshToken: grant.refreshToken,
        refreshTokenExpiresAt: expiry(clock, grant.refreshTokenExpiresIn),
        scopes: grant.scopes.length > 0 ? grant.scopes : undefined,
      };
    },
    async revoke(accessToken) {
      await (await client()).revoke(accessToken);
    },
  };
}
