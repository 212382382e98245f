/**
 * Deterministic LinkedIn identities of the sandbox: the apps Herald (and a stranger) use,
 * the members who can sign in on the consent page, and the organisations they hold roles on.
 * Every value is a clearly fake constant; nothing here is a real credential. Herald's app
 * credentials come from `SANDBOX_APPS` (core/apps.ts) so the local stack and this module agree.
 */

import { SANDBOX_APPS } from "../core/apps.js";

/** A developer application registered with (sandbox) LinkedIn. */
export interface LinkedInSeedApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  /** Redirect URIs registered for the app (loopback callbacks are also allowed; see settings). */
  readonly redirectUris: readonly string[];
  /** Scopes the app's products grant; asking for anything else is "Invalid scope". */
  readonly scopes: readonly string[];
}

export interface LinkedInSeedMember {
  /** The OpenID `sub`; the author URN is `urn:li:person:<sub>`. */
  readonly sub: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly vanityName: string;
  readonly headline: string;
}

export interface LinkedInSeedOrganization {
  readonly id: number;
  readonly name: string;
  readonly vanityName: string;
  readonly website: string;
}

/** One organizationAcls row: a member's role on an organisation. */
export interface LinkedInSeedAcl {
  readonly member: string;
  readonly organization: number;
  readonly role: string;
  readonly state: "APPROVED" | "REQUESTED" | "REJECTED" | "REVOKED";
}

const ALL_SCOPES = [
  "openid",
  "profile",
  "email",
  "w_member_social",
  "r_member_social",
  "w_organization_social",
  "r_organization_social",
  "rw_organization_admin",
  "r_organization_admin",
  "r_member_postAnalytics",
  "r_basicprofile",
] as const;

/** The seeded LinkedIn world. `apps[0]` is Herald's app (`SANDBOX_APPS.linkedin`). */
export const LINKEDIN_SEED = {
  apps: [
    {
      clientId: SANDBOX_APPS.linkedin.clientId,
      clientSecret: SANDBOX_APPS.linkedin.clientSecret,
      name: "Herald (sandbox)",
      redirectUris: ["https://herald.example/oauth/linkedin/callback"],
      scopes: ALL_SCOPES,
    },
    {
      clientId: "78sbxother002",
      clientSecret: "WPL_AP1.sandbox-not-a-secret.other02",
      name: "Another App (sandbox)",
      redirectUris: ["https://other.example/callback"],
      scopes: ["openid", "profile", "email", "w_member_social"],
    },
  ],
  members: [
    {
      sub: "K1RwyVNukt",
      givenName: "Ada",
      familyName: "Sandbox",
      email: "ada.sandbox@example.com",
      vanityName: "ada-sandbox",
      headline: "Head of Social at Herald Demo Co",
    },
    {
      sub: "Yq7Pm3sLhD",
      givenName: "Grace",
      familyName: "Testwell",
      email: "grace.testwell@example.com",
      vanityName: "grace-testwell",
      headline: "Analyst",
    },
  ],
  organizations: [
    { id: 2414183, name: "Herald Demo Co", vanityName: "herald-demo-co", website: "https://demo.example" },
    {
      id: 2414184,
      name: "Northwind Sandbox",
      vanityName: "northwind-sandbox",
      website: "https://northwind.example",
    },
    {
      id: 2414185,
      name: "Contoso Analytics",
      vanityName: "contoso-analytics",
      website: "https://contoso.example",
    },
  ],
  acls: [
    { member: "K1RwyVNukt", organization: 2414183, role: "ADMINISTRATOR", state: "APPROVED" },
    { member: "K1RwyVNukt", organization: 2414184, role: "ADMINISTRATOR", state: "APPROVED" },
    { member: "K1RwyVNukt", organization: 2414185, role: "ANALYST", state: "APPROVED" },
    { member: "Yq7Pm3sLhD", organization: 2414185, role: "ADMINISTRATOR", state: "APPROVED" },
  ],
} as const satisfies {
  apps: readonly LinkedInSeedApp[];
  members: readonly LinkedInSeedMember[];
  organizations: readonly LinkedInSeedOrganization[];
  acls: readonly LinkedInSeedAcl[];
};

/** What each scope lets an app do, as the consent page words it. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Use your name and photo",
  profile: "Use your name and photo",
  email: "Use the primary email address associated with your LinkedIn account",
  w_member_social: "Create, modify, and delete posts, comments, and reactions on your behalf",
  r_member_social: "Retrieve your posts, comments, reactions, and other engagement data",
  w_organization_social:
    "Create, modify, and delete posts, comments, and reactions on behalf of an organization you administer",
  r_organization_social: "Retrieve your organizations' posts, comments, reactions, and other engagement data",
  rw_organization_admin: "Manage your organizations' pages and retrieve reporting data",
  r_organization_admin: "Retrieve your organizations' pages and their reporting data",
  r_member_postAnalytics: "Retrieve analytics for your posts",
  r_basicprofile: "Use your basic profile including your name, photo, headline, and public profile URL",
};

export const personUrn = (sub: string): string => `urn:li:person:${sub}`;
export const organizationUrn = (id: number | string): string => `urn:li:organization:${id}`;
