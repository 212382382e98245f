/** Shapes shared by many API operations. */
import * as z from "../zod.js";

/** RFC 9457 problem details as Herald sends them (`application/problem+json`). */
export const ProblemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.optional(z.string()),
  correlationId: z.string(),
  issues: z.optional(
    z.array(
      z.object({
        path: z.string(),
        code: z.string(),
        message: z.string(),
      }),
    ),
  ),
});
export type Problem = z.infer<typeof ProblemSchema>;
