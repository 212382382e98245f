/**
 * Return-URL allow-list matching (no open redirect). An entry is a URL prefix such as
 * `https://app.acme.com/settings/connections`: a return URL matches when scheme and host are
 * equal, the port is equal (an entry for a loopback host without a port accepts any port, for
 * local development), and its path starts with the entry's path on a segment boundary.
 * Return URLs with credentials or a fragment are refused outright.
 */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

const parse = (s: string) => {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
};

export function isAllowedReturnUrl(candidate: string, prefixes: readonly string[]): boolean {
  const url = parse(candidate);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return false;
  if (url.username || url.password || url.hash) return false;
  return prefixes.some((p) => {
    const entry = parse(p.trim());
    if (!entry || entry.protocol !== url.protocol || entry.hostname !== url.hostname) return false;
    const anyPort = entry.port === "" && LOOPBACK.has(entry.hostname) && !p.match(/:\d+(\/|$)/);
    if (!anyPort && entry.port !== url.port) return false;
    // http is only acceptable for loopback hosts.
    if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) return false;
    const base = entry.pathname.endsWith("/") ? entry.pathname : `${entry.pathname}/`;
    return url.pathname === entry.pathname || url.pathname.startsWith(base);
  });
}

/** `url` with the given query parameters added (existing ones kept). */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}
