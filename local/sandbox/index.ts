/**
 * The provider sandbox: a fake Graph API (Facebook Pages, Instagram) and LinkedIn REST API
 * with their consent screens, on loopback, plus a control API for tests. See README.md.
 */
import { createSandboxServer } from "./core/server.js";
import type { DeepPartial, ProviderModule, SandboxConfig, SandboxContext } from "./core/types.js";
import { linkedinProvider } from "./linkedin/index.js";
import { metaProvider } from "./meta/index.js";

export { SANDBOX_APPS } from "./core/apps.js";
export type { DeepPartial, SandboxConfig, SandboxContext } from "./core/types.js";

/** The provider modules the sandbox serves, in routing order. */
export const PROVIDERS: readonly ProviderModule[] = [metaProvider, linkedinProvider];

/**
 * Start the sandbox on `host:port` (loopback and an ephemeral port by default). The returned
 * `url` is the base for the provider prefixes (`/meta/graph`, `/linkedin/api`, …).
 */
export function startSandbox(
  opts: { port?: number; host?: string; config?: DeepPartial<SandboxConfig> } = {},
): Promise<{ url: string; port: number; close(): Promise<void>; ctx: SandboxContext }> {
  return createSandboxServer({ providers: PROVIDERS, port: opts.port, host: opts.host, config: opts.config });
}

/** Base URLs that replace each real provider host, for a sandbox at `url`. */
export function providerBaseUrls(url: string) {
  return {
    metaGraph: `${url}/meta/graph`,
    metaWww: `${url}/meta/www`,
    metaRupload: `${url}/meta/rupload`,
    linkedinApi: `${url}/linkedin/api`,
    linkedinWww: `${url}/linkedin/www`,
    media: `${url}/media`,
  };
}
