import { SANDBOX_APPS } from "../core/apps.js";

/** A seeded Meta app. */
export interface MetaSeedApp {
  readonly appId: string;
  readonly appSecret: string;
  readonly name: string;
}

/** A seeded Instagram professional account, linked to one Page. */
export interface MetaSeedIgAccount {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly followersCount: number;
}

/** A seeded Facebook Page. */
export interface MetaSeedPage {
  readonly id: string;
  readonly name: string;
  readonly username: string;
  readonly category: string;
  readonly tasks: readonly string[];
  readonly instagram?: MetaSeedIgAccount;
}

/** A seeded Facebook user (app-scoped id) and the Pages they manage. */
export interface MetaSeedUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly pages: readonly MetaSeedPage[];
}

const ALL_TASKS = ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"] as const;

/** The deterministic Meta world every sandbox starts with. */
export const META_SEED = {
  apps: [
    {
      appId: SANDBOX_APPS.meta.appId,
      appSecret: SANDBOX_APPS.meta.appSecret,
      name: SANDBOX_APPS.meta.appName,
    },
    {
      appId: "4242424242420002",
      appSecret: "sandbox-other-app-secret-not-real",
      name: "Another Sandbox App",
    },
  ] satisfies MetaSeedApp[],
  users: [
    {
      id: "100000000000001",
      name: "Sandra Sandbox",
      email: "sandra@sandbox.herald.invalid",
      pages: [
        {
          id: "200000000000001",
          name: "Herald Sandbox Bakery",
          username: "heraldsandboxbakery",
          category: "Bakery",
          tasks: ALL_TASKS,
          instagram: {
            id: "17841400000000001",
            username: "herald.sandbox.bakery",
            name: "Herald Sandbox Bakery",
            followersCount: 1_234,
          },
        },
        {
          id: "200000000000002",
          name: "Herald Sandbox Books",
          username: "heraldsandboxbooks",
          category: "Book store",
          tasks: ["ANALYZE", "CREATE_CONTENT", "MODERATE"],
        },
      ],
    },
    {
      id: "100000000000002",
      name: "Oskar Other",
      email: "oskar@sandbox.herald.invalid",
      pages: [
        {
          id: "200000000000003",
          name: "Oskar's Garden Shop",
          username: "oskarsgardenshop",
          category: "Garden center",
          tasks: ALL_TASKS,
          instagram: {
            id: "17841400000000002",
            username: "oskars.garden",
            name: "Oskar's Garden Shop",
            followersCount: 87,
          },
        },
      ],
    },
  ] satisfies MetaSeedUser[],
} as const;

/** Every scope the login dialog accepts. */
export const META_SCOPES = [
  "public_profile",
  "email",
  "pages_show_list",
  "pages_manage_posts",
  "pages_read_engagement",
  "pages_manage_engagement",
  "pages_read_user_content",
  "pages_manage_metadata",
  "pages_messaging",
  "read_insights",
  "business_management",
  "publish_video",
  "instagram_basic",
  "instagram_content_publish",
  "instagram_manage_comments",
  "instagram_manage_insights",
  "instagram_manage_messages",
  "ads_read",
  "ads_management",
] as const;

export const findApp = (appId: string | null | undefined): MetaSeedApp | undefined =>
  META_SEED.apps.find((a) => a.appId === appId);
export const findUser = (id: string | null | undefined): MetaSeedUser | undefined =>
  META_SEED.users.find((u) => u.id === id);
export const allPages = (): { page: MetaSeedPage; user: MetaSeedUser }[] =>
  META_SEED.users.flatMap((user) => user.pages.map((page) => ({ page, user })));
export const findPage = (id: string | undefined) => allPages().find((p) => p.page.id === id);
export const findIgAccount = (id: string | undefined) =>
  (id ? allPages().find((p) => p.page.instagram?.id === id) : undefined) as
    | { page: MetaSeedPage & { instagram: MetaSeedIgAccount }; user: MetaSeedUser }
    | undefined;
