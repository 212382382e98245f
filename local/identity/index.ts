/**
 * A small Cognito-compatible token issuer for the local stack. It signs RS256 access tokens
 * with the production claim shape (what a Cognito user pool with our pre-token-generation
 * trigger issues) and serves the JWKS and OpenID configuration the way Cognito does, so the
 * local gateway verifies tokens exactly as the HTTP API JWT authorizer would.
 *
 * `POST /token` is local-only: it mints a token for any tenant and roles (the token CLI and
 * tests use it). There are no passwords; this is a developer tool on loopback.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { ROLES, type Role } from "../../functions/manifest.js";
import { API_SCOPE } from "../../schemas/resources.js";

/** Cognito-style pool and app client ids for the local stack. */
export const LOCAL_POOL_ID = "us-east-1_HeraldLocal";
export const LOCAL_CLIENT_ID = "herald-local-client";

/** The seeded demo tenant and its users. */
export const DEMO = {
  tenant: "demo",
  users: [
    { sub: "demo-admin", roles: ["admin"] as Role[] },
    { sub: "demo-editor", roles: ["editor"] as Role[] },
  ],
} as const;

export interface MintRequest {
  /** Tenant id; omit to mint a token without a tenant claim (for negative tests). */
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly sub?: string;
  /** Lifetime in seconds (negative gives an already expired token); default 3600. */
  readonly expiresIn?: number;
  /**
   * `access` (default): an access token with the API scope, what the API accepts. `id`: the
   * shape of a Cognito ID token (`aud`, `token_use: id`, no `scope`), for negative tests: the
   * gateway refuses it on protected routes with 403, like the HTTP API.
   */
  readonly tokenUse?: "access" | "id";
}

export interface RunningIdentity {
  readonly url: string;
  readonly port: number;
  /** `iss` of every token: `<url>/<poolId>`, like Cognito. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly clientId: string;
  readonly tokenUrl: string;
  readonly kid: string;
  mint(req: MintRequest): Promise<string>;
  close(): Promise<void>;
}

export interface IdentityOptions {
  readonly port?: number;
  readonly host?: string;
}

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Thrown for a bad `POST /token` request. */
export class MintRequestError extends Error {}

function validate(req: MintRequest): void {
  if (req.tenant !== undefined && !TENANT.test(req.tenant)) {
    throw new MintRequestError("tenant must be lower-case letters, digits and dashes (max 63)");
  }
  for (const role of req.roles ?? []) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new MintRequestError(`unknown role ${role}; known roles: ${ROLES.join(", ")}`);
    }
  }
  if (req.expiresIn !== undefined && !Number.isFinite(req.expiresIn)) {
    throw new MintRequestError("expiresIn must be a number of seconds");
  }
  if (req.tokenUse !== undefined && req.tokenUse !== "access" && req.tokenUse !== "id") {
    throw new MintRequestError('tokenUse must be "access" or "id"');
  }
}

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? (JSON.parse(raw) as unknown) : {};
};

const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
};

/** Parse a `POST /token` body: `{tenant, role | roles, sub?, expiresIn?, tokenUse?}`. */
export function parseMintBody(body: unknown): MintRequest {
  if (typeof body !== "object" || body === null) throw new MintRequestError("send a JSON object");
  const b = body as Record<string, unknown>;
  const roles = Array.isArray(b.roles) ? b.roles : typeof b.role === "string" ? [b.role] : [];
  if (!roles.every((r): r is string => typeof r === "string"))
    throw new MintRequestError("roles must be strings");
  if (b.tenant !== undefined && typeof b.tenant !== "string")
    throw new MintRequestError("tenant must be a string");
  if (b.sub !== undefined && typeof b.sub !== "string") throw new MintRequestError("sub must be a string");
  if (b.expiresIn !== undefined && typeof b.expiresIn !== "number") {
    throw new MintRequestError("expiresIn must be a number");
  }
  return {
    tenant: b.tenant as string | undefined,
    roles,
    sub: b.sub as string | undefined,
    expiresIn: b.expiresIn as number | undefined,
    tokenUse: b.tokenUse as MintRequest["tokenUse"],
  };
}

/** Start the issuer on loopback (ephemeral port unless given). */
export async function startIdentity(opts: IdentityOptions = {}): Promise<RunningIdentity> {
  const host = opts.host ?? "127.0.0.1";
  const kid = `herald-local-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };

  let issuer = "";
  const mint = async (req: MintRequest): Promise<string> => {
    validate(req);
    const now = Math.floor(Date.now() / 1000);
    const sub =
      req.sub ?? (req.tenant ? `${req.tenant}-${(req.roles ?? [])[0] ?? "user"}` : "user-without-tenant");
    const claims: Record<string, unknown> =
      req.tokenUse === "id"
        ? { aud: LOCAL_CLIENT_ID, token_use: "id", auth_time: now, "cognito:username": sub }
        : {
            client_id: LOCAL_CLIENT_ID,
            token_use: "access",
            // Cognito's own scope for SRP sign-in, plus the API scope the pre-token trigger adds.
            scope: `aws.cognito.signin.user.admin ${API_SCOPE}`,
            auth_time: now,
            username: sub,
          };
    claims["cognito:groups"] = [...(req.roles ?? [])];
    if (req.tenant !== undefined) claims.tenant_id = req.tenant;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
      .setIssuer(issuer)
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + (req.expiresIn ?? 3600))
      .setJti(randomUUID())
      .sign(privateKey);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const poolPrefix = `/${LOCAL_POOL_ID}`;
    const sub = path.startsWith(poolPrefix) ? path.slice(poolPrefix.length) : path;
    if (req.method === "GET" && sub === "/.well-known/jwks.json") {
      send(res, 200, { keys: [publicJwk] });
      return;
    }
    if (req.method === "GET" && sub === "/.well-known/openid-configuration") {
      send(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ["token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
      return;
    }
    if (req.method === "POST" && (sub === "/token" || path === "/token")) {
      readJson(req)
        .then((body) => mint(parseMintBody(body)))
        .then((token) => send(res, 200, { access_token: token, token_type: "Bearer" }))
        .catch((error: unknown) => {
          const message = error instanceof MintRequestError ? error.message : "body must be JSON";
          send(res, 400, { error: "invalid_request", error_description: message });
        });
      return;
    }
    send(res, 404, { message: "Not Found" });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  issuer = `${url}/${LOCAL_POOL_ID}`;
  return {
    url,
    port,
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    clientId: LOCAL_CLIENT_ID,
    tokenUrl: `${issuer}/token`,
    kid,
    mint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
