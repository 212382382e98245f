/**
 * The ConnectionDisconnected v1 consumer through the real event chain, with in-memory posts
 * ports: the targets' scheduled deliveries become BLOCKED with the reconnect action, other
 * targets and tenants are untouched, a redelivery changes nothing, a message overtaken by a
 * reconnect changes nothing, and a bad message throws.
 */
import type { EventBridgeEvent } from "aws-lambda";
import { beforeEach, describe, expect, it, vi } from "vitest";

await vi.hoisted(async () => {
  const { POSTS_TEST_ENV } = await import("./env.js");
  Object.assign(process.env, POSTS_TEST_ENV);
});

import { ConnectionDisconnectedV1 } from "../../../events/connection-disconnected.v1.js";
import type { TargetStatus } from "../../../functions/connections/domain/target.js";
import { MalformedEventError } from "../../../functions/platform/events.js";
import type { Delivery } from "../../../functions/posts/domain/post.js";
import { createOnConnectionDisconnectedHandler } from "../../../functions/posts/handlers/on-connection-disconnected.handler.js";
import { unblockTargetDeliveries } from "../../../functions/posts/use-cases/blocking.js";
import { createPost } from "../../../functions/posts/use-cases/posts.js";
import { schedulePost } from "../../../functions/posts/use-cases/scheduling.js";
import { lambdaContext } from "../../support/events.js";
import { target, type World, world } from "./fakes.js";

let w: World;
const admin = { tenantId: "acme", userId: "boss" };
const ACTION =
  "Access to this account was revoked at the provider. Reconnect the Meta (Facebook/Instagram) account.";

beforeEach(() => {
  w = world();
  w.targets.set("fb", target("fb", "facebook"));
  w.targets.set("li", target("li", "linkedin"));
});

/** What the connections context does before it announces a loss or a restore. */
const setStatus = (id: string, status: TargetStatus) => w.targets.set(id, { ...w.targets.get(id)!, status });

async function scheduled() {
  const p = await createPost(w.deps, admin, { content: { text: "hi" }, targetIds: ["fb", "li"] });
  const out = (await schedulePost(w.deps, admin, p.id, { publishAt: "2026-06-02T09:00:00Z" }, "c"))
    .deliveries as [Delivery, Delivery];
  setStatus("fb", "NEEDS_REAUTH");
  return out;
}

const disconnected = (
  data: Partial<ReturnType<typeof ConnectionDisconnectedV1.create>["data"]> = {},
  occurredAt = "2026-06-01T10:00:30.000Z",
) =>
  ({
    version: "0",
    id: crypto.randomUUID(),
    "detail-type": ConnectionDisconnectedV1.name,
    source: ConnectionDisconnectedV1.source,
    account: "123456789012",
    time: "2026-06-01T10:00:00Z",
    region: "eu-west-1",
    resources: [],
    detail: ConnectionDisconnectedV1.create(
      {
        tenantId: "acme",
        connectionId: "con_1",
        provider: "meta",
        targetIds: ["fb"],
        reason: "revoked",
        action: { type: "reconnect", message: ACTION },
        ...data,
      },
      { correlationId: "corr-1", occurredAt },
    ),
  }) as EventBridgeEvent<string, unknown>;

describe("on-connection-disconnected", () => {
  it("blocks the target's scheduled delivery with the reconnect action and leaves the other target alone", async () => {
    const [fb, li] = await scheduled();
    const handler = createOnConnectionDisconnectedHandler(w.deps);
    await handler(disconnected(), lambdaContext());

    const stored = await w.deliveries.get("acme", fb.id);
    expect(stored).toMatchObject({ status: "BLOCKED", version: fb.version + 1 });
    expect(stored?.ledger.at(-1)).toMatchObject({
      event: "blocked",
      status: "BLOCKED",
      action: "reconnect",
      detail: `revoked: ${ACTION}`,
    });
    expect((await w.deliveries.get("acme", li.id))?.status).toBe("SCHEDULED");
  });

  it("is idempotent: the same message delivered twice changes nothing the second time", async () => {
    const [fb] = await scheduled();
    const handler = createOnConnectionDisconnectedHandler(w.deps);
    const event = disconnected();
    await handler(event, lambdaContext());
    const once = await w.deliveries.get("acme", fb.id);
    await handler(event, lambdaContext());
    expect(await w.deliveries.get("acme", fb.id)).toEqual(once);
  });

  it("a late redelivery after a reconnect leaves the unblocked delivery, and newer ones, SCHEDULED", async () => {
    const [fb] = await scheduled();
    const handler = createOnConnectionDisconnectedHandler(w.deps);
    const event = disconnected();
    w.clock.now = new Date("2026-06-01T10:01:00Z");
    await handler(event, lambdaContext());
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("BLOCKED");

    w.clock.now = new Date("2026-06-01T10:05:00Z");
    setStatus("fb", "ACTIVE");
    await unblockTargetDeliveries(w.deps, {
      tenantId: "acme",
      targetIds: ["fb"],
      correlationId: "c",
      occurredAt: "2026-06-01T10:04:00.000Z",
    });
    await scheduled(); // a new post to the reconnected target
    const unblocked = await w.deliveries.get("acme", fb.id);
    expect(unblocked?.status).toBe("SCHEDULED");

    // Lost again since (the target is out of service), but this is the old message, retried.
    w.clock.now = new Date("2026-06-01T10:06:00Z");
    await handler(event, lambdaContext());
    expect(await w.deliveries.get("acme", fb.id)).toEqual(unblocked);
    const newer = (await w.deliveries.list("acme", { targetId: "fb" })).items;
    expect(newer.map((d) => d.status)).toEqual(["SCHEDULED", "SCHEDULED"]);
  });

  it("leaves a target that is ACTIVE again alone (a reconnect overtook the message)", async () => {
    const [fb] = await scheduled();
    setStatus("fb", "ACTIVE");
    await createOnConnectionDisconnectedHandler(w.deps)(disconnected(), lambdaContext());
    expect(await w.deliveries.get("acme", fb.id)).toMatchObject({ status: "SCHEDULED", version: fb.version });
  });

  it("only touches the event's tenant", async () => {
    const [fb] = await scheduled();
    const handler = createOnConnectionDisconnectedHandler(w.deps);
    await handler(disconnected({ tenantId: "other" }), lambdaContext());
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("SCHEDULED");
  });

  it("throws (so Lambda retries, then dead-letters) on a message that breaks the contract", async () => {
    const [fb] = await scheduled();
    const handler = createOnConnectionDisconnectedHandler(w.deps);
    const event = disconnected();
    (event.detail as { data: Record<string, unknown> }).data.reason = "bored";
    await expect(handler(event, lambdaContext())).rejects.toBeInstanceOf(MalformedEventError);
    expect((await w.deliveries.get("acme", fb.id))?.status).toBe("SCHEDULED");
  });
});
