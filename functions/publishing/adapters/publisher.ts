/**
 * PublisherPort over the Meta and LinkedIn publishers: builds a client for each step (app
 * credentials are cached by the secrets module), watches Meta's answers for usage headers, and
 * hands back the step's outcome or its error together with the usage readings it saw, so the
 * use case feeds the circuit breaker either way.
 */

import type { FetchLike } from "../../providers/http.js";
import { type LinkedInAppCredentials, LinkedInClient } from "../../providers/linkedin/client.js";
import { linkedInPublisher } from "../../providers/linkedin/publishing.js";
import { type MetaAppCredentials, MetaClient } from "../../providers/meta/client.js";
import { metaPublisher } from "../../providers/meta/publishing.js";
import { parseMetaUsage, usageForObject } from "../../providers/meta/usage.js";
import type { PublisherPort, UsageReport } from "../use-cases/ports.js";

export interface ProviderEndpoints {
  readonly metaGraphUrl: string;
  readonly metaWwwUrl: string;
  readonly metaVersion?: string;
  readonly linkedinApiUrl: string;
  readonly linkedinWwwUrl: string;
  readonly linkedinVersion?: string;
  readonly fetch?: FetchLike;
}

export function providerPublisher(
  endpoints: ProviderEndpoints,
  credentials: () => Promise<{ meta: MetaAppCredentials; linkedin: LinkedInAppCredentials }>,
): PublisherPort {
  return {
    async step(provider, input, state) {
      const creds = await credentials();
      if (provider === "linkedin") {
        const client = new LinkedInClient({
          apiUrl: endpoints.linkedinApiUrl,
          wwwUrl: endpoints.linkedinWwwUrl,
          ...(endpoints.linkedinVersion ? { version: endpoints.linkedinVersion } : {}),
          credentials: creds.linkedin,
          ...(endpoints.fetch ? { fetch: endpoints.fetch } : {}),
        });
        try {
          return {
            outcome: await linkedInPublisher(client, {
              ...(endpoints.fetch ? { fetch: endpoints.fetch } : {}),
            }).step(input, state),
          };
        } catch (error) {
          return { error };
        }
      }
      let last: Headers | undefined;
      const client = new MetaClient({
        graphUrl: endpoints.metaGraphUrl,
        wwwUrl: endpoints.metaWwwUrl,
        ...(endpoints.metaVersion ? { version: endpoints.metaVersion } : {}),
        credentials: creds.meta,
        ...(endpoints.fetch ? { fetch: endpoints.fetch } : {}),
        onResponse: ({ headers }) => {
          if (
            headers.has("x-app-usage") ||
            headers.has("x-business-use-case-usage") ||
            headers.has("x-page-usage")
          )
            last = headers;
        },
      });
      const usageOf = (): UsageReport | undefined => {
        if (!last) return undefined;
        const now = input.now;
        const u = parseMetaUsage(last, now);
        const target = usageForObject(u, input.target.externalId);
        const regain = [u.app?.regainAt, target?.regainAt]
          .filter((x): x is string => !!x)
          .sort()
          .at(-1);
        return {
          ...(u.app
            ? { app: { pct: u.app.pct, ...(u.app.regainAt ? { regainAt: new Date(u.app.regainAt) } : {}) } }
            : {}),
          ...(target
            ? {
                target: {
                  pct: target.pct,
                  ...(target.regainAt ? { regainAt: new Date(target.regainAt) } : {}),
                },
              }
            : {}),
          ...(regain ? { regainAt: new Date(regain) } : {}),
        };
      };
      try {
        const outcome = await metaPublisher(client).step(input, state);
        const usage = usageOf();
        return { outcome, ...(usage ? { usage } : {}) };
      } catch (error) {
        const usage = usageOf();
        return { error, ...(usage ? { usage } : {}) };
      }
    },
  };
}
