import type { Router } from "../core/types.js";
import { API, apiRoute, hasScope } from "./api.js";
import { accessDeniedBody, classicForbiddenBody, liJson, notFoundBody } from "./responses.js";
import {
  type LinkedInSeedMember,
  type LinkedInSeedOrganization,
  organizationUrn,
  personUrn,
} from "./seed.js";

/**
 * Who the member is and which organisations they hold roles on (providers.md B4):
 * `/v2/userinfo`, `/v2/me`, `/rest/organizationAcls`, `/rest/organizations/{id}`.
 */

function pictureUrl(m: LinkedInSeedMember): string {
  return `https://media.licdn.com/dms/image/sandbox/${m.sub}/profile-displayphoto-shrink_100_100/0/`;
}

function organizationBody(o: LinkedInSeedOrganization): Record<string, unknown> {
  return {
    id: o.id,
    localizedName: o.name,
    name: { localized: { en_US: o.name }, preferredLocale: { country: "US", language: "en" } },
    vanityName: o.vanityName,
    localizedWebsite: o.website,
    primaryOrganizationType: "NONE",
    organizationType: "PRIVATELY_HELD",
    locations: [],
    versionTag: "1",
  };
}

const ORG_ADMIN_SCOPES = [
  "rw_organization_admin",
  "r_organization_admin",
  "w_organization_social",
  "r_organization_social",
];

export function registerIdentity(router: Router): void {
  router.add(
    "GET",
    `${API}/v2/userinfo`,
    apiRoute("userinfo.GET", { versioned: false }, (req, _ctx, c) => {
      if (!hasScope(c, "openid")) return liJson(req, 403, classicForbiddenBody("GET /userinfo"));
      const m = c.member;
      const body: Record<string, unknown> = { sub: m.sub };
      if (hasScope(c, "profile")) {
        Object.assign(body, {
          name: `${m.givenName} ${m.familyName}`,
          given_name: m.givenName,
          family_name: m.familyName,
          picture: pictureUrl(m),
          locale: c.st.settings.userinfoLocaleAsObject ? { country: "US", language: "en" } : "en-US",
        });
      }
      if (hasScope(c, "email")) Object.assign(body, { email: m.email, email_verified: true });
      return liJson(req, 200, body);
    }),
  );

  router.add(
    "GET",
    `${API}/v2/me`,
    apiRoute("me.GET", { versioned: false }, (req, _ctx, c) => {
      if (!hasScope(c, "r_basicprofile", "r_liteprofile")) {
        return liJson(req, 403, classicForbiddenBody("GET /me"));
      }
      const m = c.member;
      const locale = { country: "US", language: "en" };
      return liJson(req, 200, {
        id: m.sub,
        localizedFirstName: m.givenName,
        localizedLastName: m.familyName,
        localizedHeadline: m.headline,
        vanityName: m.vanityName,
        firstName: { localized: { en_US: m.givenName }, preferredLocale: locale },
        lastName: { localized: { en_US: m.familyName }, preferredLocale: locale },
        headline: { localized: { en_US: m.headline }, preferredLocale: locale },
      });
    }),
  );

  router.add(
    "GET",
    `${API}/rest/organizationAcls`,
    apiRoute("organizationAcls.FINDER", { versioned: true }, (req, _ctx, c) => {
      const q = req.query;
      if (!hasScope(c, ...ORG_ADMIN_SCOPES)) {
        return liJson(req, 403, accessDeniedBody("organizationAcls.FINDER-roleAssignee", c.version));
      }
      if (q.get("q") !== "roleAssignee") {
        return liJson(req, 400, {
          status: 400,
          code: "ILLEGAL_ARGUMENT",
          message: `Invalid query parameter: q=${q.get("q") ?? ""}; supported finders: roleAssignee`,
        });
      }
      const role = q.get("role");
      const state = q.get("state");
      const start = Math.max(0, Number.parseInt(q.get("start") ?? "0", 10) || 0);
      const count = Math.min(100, Math.max(0, Number.parseInt(q.get("count") ?? "10", 10) || 10));
      const decorate = (q.get("projection") ?? "").includes("organization~");
      const rows = c.st.acls.filter(
        (a) => a.member === c.member.sub && (!role || a.role === role) && (!state || a.state === state),
      );
      const elements = rows.slice(start, start + count).map((a) => {
        const el: Record<string, unknown> = {
          organization: organizationUrn(a.organization),
          roleAssignee: personUrn(a.member),
          role: a.role,
          state: a.state,
        };
        const org = c.st.organizations.find((o) => o.id === a.organization);
        if (decorate && org) el["organization~"] = { localizedName: org.name, vanityName: org.vanityName };
        return el;
      });
      const links: Record<string, unknown>[] = [];
      if (start + count < rows.length) {
        const next = new URLSearchParams(q);
        next.set("start", String(start + count));
        next.set("count", String(count));
        links.push({
          type: "application/json",
          rel: "next",
          href: `/rest/organizationAcls?${next.toString()}`,
        });
      }
      return liJson(req, 200, { elements, paging: { start, count, links } });
    }),
  );

  router.add(
    "GET",
    `${API}/rest/organizations/:id`,
    apiRoute("organizations.GET", { versioned: true }, (req, _ctx, c) => {
      const org = c.st.organizations.find((o) => String(o.id) === req.params.id);
      if (!org) return liJson(req, 404, notFoundBody(`Organization ${req.params.id} not found`));
      return liJson(req, 200, organizationBody(org));
    }),
  );
}
