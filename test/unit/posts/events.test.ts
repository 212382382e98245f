/** Contract tests: the checked-in sample is a valid PublishRequested v1, and the contract refuses other shapes. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PublishRequestedV1 } from "../../../events/publish-requested.v1.js";

const sample = JSON.parse(
  readFileSync(new URL("../../../events/samples/publish-requested.v1.json", import.meta.url), "utf8"),
);

describe("PublishRequested v1", () => {
  it("parses the sample", () => {
    expect(PublishRequestedV1.parse(sample).data).toEqual({
      tenantId: "acme",
      deliveryId: sample.data.deliveryId,
      version: 1,
    });
  });
  it("creates envelopes that parse, with metadata name and version fixed", () => {
    const e = PublishRequestedV1.create(
      { tenantId: "t", deliveryId: "d", version: 3 },
      { correlationId: "c" },
    );
    expect(PublishRequestedV1.parse(JSON.parse(JSON.stringify(e)))).toEqual(e);
    expect(e.metadata).toMatchObject({ name: "PublishRequested", version: 1, correlationId: "c" });
    expect(Date.parse(e.metadata.occurredAt)).not.toBeNaN();
  });
  it("refuses another version, a missing field, and unknown fields", () => {
    expect(() =>
      PublishRequestedV1.parse({ ...sample, metadata: { ...sample.metadata, version: 2 } }),
    ).toThrow();
    expect(() =>
      PublishRequestedV1.parse({ ...sample, data: { tenantId: "acme", deliveryId: "d" } }),
    ).toThrow();
    expect(() => PublishRequestedV1.parse({ ...sample, data: { ...sample.data, extra: 1 } })).toThrow();
  });
});
