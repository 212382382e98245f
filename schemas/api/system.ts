/** Health and identity. */
import * as z from "../zod.js";

export const HealthResponseSchema = z.strictObject({
  status: z.literal("ok"),
  stage: z.string(),
  time: z.iso.datetime(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

export const MeResponseSchema = z.strictObject({
  tenantId: z.string(),
  userId: z.string(),
  roles: z.array(z.enum(["admin", "editor"])),
});
export type MeResponse = z.infer<typeof MeResponseSchema>;
