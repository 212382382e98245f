import { describe, expect, it } from "vitest";
import {
  ADA,
  ADA_URN,
  control,
  createPost,
  GRACE,
  mintToken,
  ORG_ADMIN,
  ORG_ADMIN_2,
  ORG_ANALYST,
  rest,
  type Sandbox,
  useLinkedInSandbox,
} from "./linkedin-support.js";

/**
 * The LinkedIn API gateway behaviour on the sandbox (providers.md B1, B4, B7 and the
 * corrections table): required headers and version answers, the three token errors, identity
 * endpoints and organisation roles, and the headers LinkedIn puts on every answer.
 */

let sb: Sandbox;
useLinkedInSandbox({
  started: (running) => {
    sb = running;
  },
});

describe("required headers and versions", () => {
  it("no LinkedIn-Version → 400 VERSION_MISSING with the exact body", async () => {
    const token = await mintToken(sb);
    const res = await rest(sb, "/rest/organizationAcls?q=roleAssignee", {
      token,
      headers: { "linkedin-version": undefined },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      status: 400,
      code: "VERSION_MISSING",
      message: "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
    });
  });

  it.each([
    ["202401", "20240101"],
    ["202410.02", "20241002"],
  ])("a retired version %s → 426 NONEXISTENT_VERSION echoing %s", async (version, echoed) => {
    const token = await mintToken(sb);
    const res = await createPost(sb, token, { commentary: "hello" });
    expect(res.status).toBe(201);
    const old = await rest(sb, "/rest/posts", {
      token,
      body: { author: ADA_URN },
      headers: { "linkedin-version": version },
    });
    expect(old.status).toBe(426);
    expect(await old.json()).toEqual({
      status: 426,
      code: "NONEXISTENT_VERSION",
      message: `Requested version ${echoed} is not active`,
    });
  });

  it("the active list is configuration: retiring a version makes it 426", async () => {
    const token = await mintToken(sb);
    expect((await rest(sb, "/rest/organizations/2414183", { token })).status).toBe(200);
    await control(sb, "/_sandbox/config", { linkedin: { activeVersions: ["202602"] } }, "PUT");
    expect((await rest(sb, "/rest/organizations/2414183", { token })).status).toBe(426);
    const patch = await rest(sb, "/rest/organizations/2414183", {
      token,
      headers: { "linkedin-version": "202602.01" },
    });
    expect(patch.status).toBe(200);
  });

  it("/rest without X-Restli-Protocol-Version: 2.0.0 → 400 (configurable); /v2 needs no version", async () => {
    const token = await mintToken(sb);
    const res = await rest(sb, "/rest/organizations/2414183", {
      token,
      headers: { "x-restli-protocol-version": undefined },
    });
    expect(res.status).toBe(400);
    await control(sb, "/_sandbox/linkedin/settings", { requireRestliProtocolHeader: false }, "PUT");
    const lenient = await rest(sb, "/rest/organizations/2414183", {
      token,
      headers: { "x-restli-protocol-version": undefined },
    });
    expect(lenient.status).toBe(200);
    expect(lenient.headers.get("x-restli-protocol-version")).toBe("1.0.0");
    const v2 = await rest(sb, "/v2/userinfo", { token, headers: { "linkedin-version": undefined } });
    expect(v2.status).toBe(200);
  });

  it("every API answer carries x-restli-protocol-version, x-li-uuid and x-li-request-id", async () => {
    const token = await mintToken(sb);
    const a = await rest(sb, "/v2/userinfo", { token });
    const b = await rest(sb, "/v2/userinfo", { token: "AQunknown" });
    for (const res of [a, b]) {
      expect(res.headers.get("x-restli-protocol-version")).toBe("2.0.0");
      expect(res.headers.get("x-li-uuid")).toMatch(/^[A-Za-z0-9+/=]{16,}$/);
      expect(res.headers.get("x-li-request-id")).toBeTruthy();
    }
    expect(a.headers.get("x-li-uuid")).not.toBe(b.headers.get("x-li-uuid"));
  });

  it("an unknown LinkedIn resource → LinkedIn-shaped 404", async () => {
    const token = await mintToken(sb);
    const res = await rest(sb, "/rest/nothingHere", { token });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 404, code: "RESOURCE_NOT_FOUND" });
  });
});

describe("token errors", () => {
  it("no token → 401 in the classic shape", async () => {
    const res = await rest(sb, "/v2/userinfo");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      message: "Empty oauth2_access_token",
      serviceErrorCode: 401,
      status: 401,
    });
  });

  it("unknown token → 65600", async () => {
    const res = await rest(sb, "/rest/organizations/2414183", { token: "AQdefinitely-not-issued" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: "INVALID_ACCESS_TOKEN",
      message: "Invalid access token",
    });
  });

  it("member revokes the app (control route) → 65601", async () => {
    const token = await mintToken(sb);
    const revoke = await control(sb, `/_sandbox/linkedin/members/${ADA.sub}/revoke`, {});
    expect(await revoke.json()).toMatchObject({ revoked: 1 });
    const res = await createPost(sb, token, { commentary: "after revoke" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      status: 401,
      serviceErrorCode: 65601,
      code: "REVOKED_ACCESS_TOKEN",
      message: "The token used in the request has been revoked by the user",
    });
  });

  it("60 days on the sandbox clock → 65602; the expire control does the same at once", async () => {
    const token = await mintToken(sb);
    await control(sb, "/_sandbox/clock", { advanceMs: 60 * 86_400_000 });
    const res = await rest(sb, "/v2/userinfo", { token });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      status: 401,
      serviceErrorCode: 65602,
      code: "EXPIRED_ACCESS_TOKEN",
      message: "The token used in the request has expired",
    });
    const fresh = await mintToken(sb);
    expect((await rest(sb, "/v2/userinfo", { token: fresh })).status).toBe(200);
    await control(sb, "/_sandbox/linkedin/tokens/expire", { token: fresh });
    expect((await rest(sb, "/v2/userinfo", { token: fresh })).status).toBe(401);
  });
});

describe("identity", () => {
  it("/v2/userinfo answers the OpenID shape", async () => {
    const token = await mintToken(sb);
    const res = await rest(sb, "/v2/userinfo", { token });
    expect(await res.json()).toEqual({
      sub: ADA.sub,
      name: `${ADA.givenName} ${ADA.familyName}`,
      given_name: ADA.givenName,
      family_name: ADA.familyName,
      picture: expect.stringMatching(/^https:\/\//),
      locale: "en-US",
      email: ADA.email,
      email_verified: true,
    });
    await control(sb, "/_sandbox/linkedin/settings", { userinfoLocaleAsObject: true }, "PUT");
    const obj = (await (await rest(sb, "/v2/userinfo", { token })).json()) as { locale: unknown };
    expect(obj.locale).toEqual({ country: "US", language: "en" });
  });

  it("/v2/me without r_basicprofile → 403 in the reference shape; with it → the profile", async () => {
    const token = await mintToken(sb);
    const res = await rest(sb, "/v2/me", { token });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      serviceErrorCode: 100,
      message: "Not enough permissions to access: GET /me",
      status: 403,
    });
    const basic = await mintToken(sb, ADA.sub, ["r_basicprofile"]);
    const me = (await (await rest(sb, "/v2/me", { token: basic })).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ id: ADA.sub, vanityName: ADA.vanityName, localizedFirstName: ADA.givenName });
  });

  it("organizationAcls role=ADMINISTRATOR lists the two administered orgs, not the ANALYST one", async () => {
    const token = await mintToken(sb);
    const res = await rest(
      sb,
      "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=0&count=100",
      {
        token,
      },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      elements: [
        { organization: ORG_ADMIN, roleAssignee: ADA_URN, role: "ADMINISTRATOR", state: "APPROVED" },
        { organization: ORG_ADMIN_2, roleAssignee: ADA_URN, role: "ADMINISTRATOR", state: "APPROVED" },
      ],
      paging: { start: 0, count: 100, links: [] },
    });
    const all = (await (await rest(sb, "/rest/organizationAcls?q=roleAssignee", { token })).json()) as {
      elements: { organization: string; role: string }[];
    };
    expect(all.elements).toContainEqual(
      expect.objectContaining({ organization: ORG_ANALYST, role: "ANALYST" }),
    );
  });

  it("organizationAcls pages with start/count and a next link", async () => {
    const token = await mintToken(sb);
    const page = (await (
      await rest(sb, "/rest/organizationAcls?q=roleAssignee&start=0&count=2", { token })
    ).json()) as {
      elements: unknown[];
      paging: { start: number; count: number; links: { rel: string; href: string }[] };
    };
    expect(page.elements).toHaveLength(2);
    expect(page.paging.links[0]).toMatchObject({ rel: "next" });
    expect(page.paging.links[0]?.href).toContain("start=2");
  });

  it("organizationAcls without an organisation scope → 403 ACCESS_DENIED", async () => {
    const token = await mintToken(sb, ADA.sub, ["openid", "profile", "w_member_social"]);
    const res = await rest(sb, "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR", { token });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ status: 403, serviceErrorCode: 100, code: "ACCESS_DENIED" });
  });

  it("organizations/{id} answers the organisation; unknown → 404", async () => {
    const token = await mintToken(sb, GRACE.sub);
    const org = (await (await rest(sb, "/rest/organizations/2414183", { token })).json()) as Record<
      string,
      unknown
    >;
    expect(org).toMatchObject({ id: 2414183, localizedName: "Herald Demo Co", vanityName: "herald-demo-co" });
    expect((await rest(sb, "/rest/organizations/999", { token })).status).toBe(404);
  });

  it("seeds list the LinkedIn app, members and orgs with their admin roles", async () => {
    const seed = (await (await fetch(`${sb.url}/_sandbox/seed`)).json()) as {
      linkedin: { apps: { clientId: string }[]; members: { sub: string; administers: string[] }[] };
    };
    expect(seed.linkedin.apps[0]?.clientId).toBeTruthy();
    const ada = seed.linkedin.members.find((m) => m.sub === ADA.sub);
    expect(ada?.administers).toEqual([ORG_ADMIN, ORG_ADMIN_2]);
  });
});
