/**
 * Meta `signed_request` verification (deauthorize and data-deletion callbacks):
 * `<base64url(HMAC-SHA256(app secret, encodedPayload))>.<encodedPayload>`, payload JSON with
 * `algorithm: "HMAC-SHA256"` and `user_id`. Any configured secret (current or previous during a
 * rotation) may have signed it; the comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface SignedRequestPayload {
  readonly user_id: string;
  readonly algorithm: string;
  readonly issued_at?: number;
  readonly expires?: number;
  readonly [key: string]: unknown;
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The verified payload, or undefined for anything malformed or not signed by one of `secrets`. */
export function verifySignedRequest(
  signedRequest: string,
  secrets: readonly string[],
): SignedRequestPayload | undefined {
  const parts = signedRequest.split(".");
  if (parts.length !== 2) return undefined;
  const [sig, payload] = parts as [string, string];
  if (!B64URL.test(sig) || !B64URL.test(payload)) return undefined;
  const given = Buffer.from(sig, "base64url");
  const ok = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(payload).digest();
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!ok) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const p = data as Record<string, unknown>;
  if (typeof p.algorithm !== "string" || p.algorithm.toUpperCase() !== "HMAC-SHA256") return undefined;
  const userId =
    typeof p.user_id === "string" ? p.user_id : typeof p.user_id === "number" ? String(p.user_id) : undefined;
  if (!userId) return undefined;
  return { ...p, user_id: userId, algorithm: p.algorithm } as SignedRequestPayload;
}

/** Build a signed request (tests and the local sandbox's callers). */
export function signRequest(payload: Record<string, unknown>, secret: string): string {
  const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${createHmac("sha256", secret).update(encoded).digest("base64url")}.${encoded}`;
}
