/**
 * ProviderPort for Meta: Facebook Login, the long-lived upgrade, and the Pages (with Page
 * tokens) and Instagram professional accounts a user granted.
 */
import { isProviderError } from "../../providers/errors.js";
import { MetaClient, type MetaClientConfig, type MetaPage } from "../../providers/meta/client.js";
import type { Clock, DiscoveredTarget, ProviderPort } from "../use-cases/ports.js";

export type MetaClientFactory = () => Promise<MetaClient>;

export const metaClientFactory =
  (
    config: Omit<MetaClientConfig, "credentials">,
    credentials: () => Promise<MetaClientConfig["credentials"]>,
  ): MetaClientFactory =>
  async () =>
    new MetaClient({ ...config, credentials: await credentials() });

const expiry = (clock: Clock, seconds: number | undefined) =>
  seconds && seconds > 0 ? new Date(clock.now().getTime() + seconds * 1000).toISOString() : undefined;

/** Pages and their IG accounts as targets; both publish with the Page token. */
export function targetsFromPages(pages: readonly MetaPage[]): DiscoveredTarget[] {
  return pages.flatMap((p) => {
    const page: DiscoveredTarget = {
      platform: "facebook",
      kind: "facebook_page",
      externalId: p.id,
      name: p.name,
      username: p.username,
      pictureUrl: p.pictureUrl,
      token: p.accessToken,
    };
    if (!p.instagram) return [page];
    const ig: DiscoveredTarget = {
      platform: "instagram",
      kind: "instagram_account",
      externalId: p.instagram.id,
      name: p.instagram.name ?? p.instagram.username ?? p.instagram.id,
      username: p.instagram.username,
      pictureUrl: p.instagram.profilePictureUrl,
      token: p.accessToken,
    };
    return [page, ig];
  });
}

export function metaProvider(client: MetaClientFactory, clock: Clock): ProviderPort {
  return {
    provider: "meta",
    // Meta's login is a confidential server-side flow with the app secret; it has no PKCE.
    usesPkce: false,
    async authorizationUrl({ redirectUri, state, scopes }) {
      return (await client()).authorizationUrl({ redirectUri, state, scopes });
    },
    async completeAuthorization({ code, redirectUri }) {
      const meta = await client();
      const short = await meta.exchangeCode(code, redirectUri);
      const long = await meta.exchangeForLongLived(short.accessToken);
      const [me, permissions, pages] = await Promise.all([
        meta.me(long.accessToken),
        meta.permissions(long.accessToken),
        meta.listPages(long.accessToken),
      ]);
      return {
        externalAccountId: me.id,
        displayName: me.name,
        scopes: permissions.granted,
        accessToken: long.accessToken,
        accessTokenExpiresAt: expiry(clock, long.expiresIn),
        targets: targetsFromPages(pages),
      };
    },
    async listTargets(accessToken) {
      return targetsFromPages(await (await client()).listPages(accessToken));
    },
    async renew({ accessToken, accessTokenExpiresAt }) {
      // A still-valid long-lived user token can be exchanged again; Meta has no refresh token.
      const meta = await client();
      const grant = await meta.exchangeForLongLived(accessToken);
      const next = expiry(clock, grant.expiresIn);
      if (next && accessTokenExpiresAt && Date.parse(next) <= Date.parse(accessTokenExpiresAt)) {
        return { kind: "not_renewable", reason: "meta_expiry_not_extended" };
      }
      // The user may have removed permissions in their Facebook settings since: re-read them.
      // Best effort against Meta (the renewal stands without it, scopes unchanged); anything
      // that is not Meta's answer is a bug and surfaces.
      const scopes = await meta.permissions(grant.accessToken).then(
        (p) => p.granted,
        (error: unknown) => {
          if (isProviderError(error)) return undefined;
          throw error;
        },
      );
      return { kind: "renewed", accessToken: grant.accessToken, accessTokenExpiresAt: next, scopes };
    },
    async revoke(accessToken) {
      await (await client()).revokePermissions(accessToken);
    },
  };
}
