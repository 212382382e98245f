/** ConnectionDisconnected / ConnectionRestored v1: the sample parses, and the EventBridge adapter sends valid envelopes. */
import { readFileSync } from "node:fs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import { ConnectionRestoredV1 } from "../../../events/connection-restored.v1.js";
import { eventBridgeConnectionEvents } from "../../../functions/connections/adapters/events.js";

const sample = JSON.parse(
  readFileSync(new URL("../../../events/samples/connection-disconnected.v1.json", import.meta.url), "utf8"),
);
const eb = mockClient(EventBridgeClient);
afterEach(() => eb.reset());

describe("ConnectionDisconnected v1", () => {
  it("parses the sample and refuses unknown reasons or fields", () => {
    expect(ConnectionDisconnectedV1.parse(sample).data.reason).toBe("revoked");
    expect(() =>
      ConnectionDisconnectedV1.parse({ ...sample, data: { ...sample.data, reason: "bored" } }),
    ).toThrow();
    expect(() =>
      ConnectionDisconnectedV1.parse({ ...sample, data: { ...sample.data, token: "x" } }),
    ).toThrow();
  });

  it("is put on the bus with source, detail type and a reconnect action", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    const events = eventBridgeConnectionEvents(new EventBridgeClient({}), "herald-test");
    await events.disconnected({
      tenantId: "acme",
      connectionId: "con_1",
      provider: "linkedin",
      targetIds: ["tgt_1"],
      reason: "needs_reauth",
      correlationId: "corr-1",
    });
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: "herald-test",
      Source: "herald.connections",
      DetailType: "ConnectionDisconnected",
    });
    const detail = ConnectionDisconnectedV1.parse(JSON.parse(entry.Detail!));
    expect(detail.metadata.correlationId).toBe("corr-1");
    expect(detail.data).toMatchObject({ targetIds: ["tgt_1"], action: { type: "reconnect" } });
    expect(detail.data.action.message).toMatch(/^Access to this account expired/);
  });

  it("puts the caller's why in the reconnect action when given", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    await eventBridgeConnectionEvents(new EventBridgeClient({}), "herald-test").disconnected({
      tenantId: "acme",
      connectionId: "con_1",
      provider: "meta",
      targetIds: ["tgt_ig"],
      reason: "revoked",
      why: "The provider no longer lists this place.",
    });
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(ConnectionDisconnectedV1.parse(JSON.parse(entry.Detail!)).data.action.message).toMatch(
      /^The provider no longer lists this place\./,
    );
  });

  it("puts ConnectionRestored on the bus with its own detail type", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    await eventBridgeConnectionEvents(new EventBridgeClient({}), "herald-test").restored({
      tenantId: "acme",
      connectionId: "con_1",
      provider: "linkedin",
      targetIds: ["tgt_1", "tgt_2"],
      correlationId: "corr-2",
    });
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({
      EventBusName: "herald-test",
      Source: "herald.connections",
      DetailType: "ConnectionRestored",
    });
    const detail = ConnectionRestoredV1.parse(JSON.parse(entry.Detail!));
    expect(detail.metadata.correlationId).toBe("corr-2");
    expect(detail.data).toEqual({
      tenantId: "acme",
      connectionId: "con_1",
      provider: "linkedin",
      targetIds: ["tgt_1", "tgt_2"],
    });
  });

  it("fails loudly when EventBridge refuses the entry", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    const events = eventBridgeConnectionEvents(new EventBridgeClient({}), "herald-test");
    await expect(
      events.disconnected({
        tenantId: "a",
        connectionId: "c",
        provider: "meta",
        targetIds: [],
        reason: "revoked",
      }),
    ).rejects.toThrow(/InternalFailure/);
  });
});
