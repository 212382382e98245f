/**
 * The sandbox's seeded app credentials: clearly fake constants, valid only against this
 * sandbox. The local stack seeds Herald's Secrets Manager with them; provider modules read
 * them from here so the two can never disagree.
 */
export const SANDBOX_APPS = {
  meta: {
    appId: "4242424242424242",
    appSecret: "sandbox-meta-app-secret-not-real",
    webhookVerifyToken: "sandbox-meta-verify-token",
    appName: "Herald Sandbox",
  },
  linkedin: {
    clientId: "78sbxherald01",
    clientSecret: "WPL_AP1.sandbox-not-a-secret.herald01",
  },
} as const;
