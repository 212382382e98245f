import { describe, expect, it } from "vitest";
import { renderPublishingErrorsDoc } from "../../../functions/publishing/domain/error-doc.js";
import { ERROR_RULES } from "../../../functions/publishing/domain/provider-errors.js";
import { ENV } from "../../../schemas/env.js";

describe("docs/publishing-errors.md", () => {
  // The doc names the deployed variables, as the publish worker's messages do.
  const doc = renderPublishingErrorsDoc({
    metaGraphVersion: ENV.META_GRAPH_VERSION,
    linkedinVersion: ENV.LINKEDIN_VERSION,
  });

  it("lists every row of the error table", () => {
    for (const rule of ERROR_RULES) expect(doc, rule.id).toContain(`| \`${rule.id}\` |`);
  });

  it("is the file in the repository (regenerate with `npx vitest run --project unit test/unit/publishing/error-doc.test.ts --update`)", async () => {
    await expect(doc).toMatchFileSnapshot("../../../docs/publishing-errors.md");
  });
});
