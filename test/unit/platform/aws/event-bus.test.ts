import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { putEvent } from "../../../../functions/platform/aws/event-bus.js";

const client = new EventBridgeClient({ region: "eu-west-1" });
const eb = mockClient(client);
afterEach(() => eb.reset());

const contract = { source: "herald.test", name: "ThingHappened" };
const envelope = { metadata: { name: "ThingHappened", version: 1 }, data: { id: "x" } };

describe("putEvent", () => {
  it("puts the envelope on the bus with the contract's source and detail-type", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] });
    await putEvent(client, "herald-dev", contract, envelope);
    const input = eb.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input.Entries).toEqual([
      {
        EventBusName: "herald-dev",
        Source: "herald.test",
        DetailType: "ThingHappened",
        Detail: JSON.stringify(envelope),
      },
    ]);
  });

  it("throws when EventBridge answers 200 but refuses the entry", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    await expect(putEvent(client, "herald-dev", contract, envelope)).rejects.toThrow(
      "EventBridge refused ThingHappened: InternalFailure",
    );
  });
});
