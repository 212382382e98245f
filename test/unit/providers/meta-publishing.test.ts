import { describe, expect, it } from "vitest";
import { MetaApiError } from "../../../functions/providers/errors.js";
import type { MetaClient } from "../../../functions/providers/meta/client.js";
import { metaErrorFrom } from "../../../functions/providers/meta/errors.js";
import { facebookPublisher } from "../../../functions/providers/meta/facebook.js";
import { instagramPublisher } from "../../../functions/providers/meta/instagram.js";
import { StepFailureError, type StepInput } from "../../../functions/providers/publisher.js";
import { classifyProviderError } from "../../../functions/publishing/domain/provider-errors.js";
import type { PublishContent, PublishState } from "../../../functions/publishing/domain/publish-state.js";

/** A MetaClient stand-in: answers each Graph call from `route`, records what was asked. */
function fakeClient(route: (method: string, path: string, params: Record<string, unknown>) => unknown) {
  const calls: { method: string; path: string; params: Record<string, unknown> }[] = [];
  const client = {
    async request(method: string, path: string, options: { params?: Record<string, unknown> } = {}) {
      const params = options.params ?? {};
      calls.push({ method, path, params });
      return route(method, path, params);
    },
  } as unknown as MetaClient;
  return { client, calls };
}

const URLS = ["https://cdn.example/a.jpg", "https://cdn.example/b.jpg", "https://cdn.example/c.jpg"];
const carousel: PublishContent = {
  platform: "instagram",
  format: "carousel",
  text: "three",
  media: URLS.map((url) => ({ url })),
};
const feed: PublishContent = {
  platform: "instagram",
  format: "feed",
  text: "one",
  media: [{ url: URLS[0]! }],
};
const input = (content: PublishContent): StepInput => ({
  target: { kind: "instagram_account", externalId: "17841400000000000", token: "page-token" },
  content,
  now: new Date("2026-03-10T12:00:00.000Z"),
});
const state = (over: Partial<PublishState>): PublishState => ({
  phase: "containers",
  attempts: 0,
  windowWaits: 0,
  startedAt: "2026-03-10T12:00:00.000Z",
  contentHash: "h",
  ...over,
});

async function stepFailure(run: () => Promise<unknown>): Promise<StepFailureError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepFailureError);
  return error as StepFailureError;
}

describe("Instagram publisher: media failures name the item", () => {
  it("a carousel child refused with 9004/2207052 names its position and URL", async () => {
    const { client } = fakeClient((_m, _p, params) => {
      if (params.image_url === URLS[1])
        throw metaErrorFrom(
          400,
          {
            error: {
              message: "Media download has failed.: The media could not be fetched from the URI.",
              code: 9004,
              error_subcode: 2207052,
            },
          },
          "POST /{ig-user-id}/media",
        );
      return { id: "child" };
    });
    const e = await stepFailure(() =>
      instagramPublisher(client).step(input(carousel), state({ childContainerIds: ["c1"] })),
    );
    expect(e.failure).toMatchObject({
      provider: "meta",
      code: 9004,
      subcode: 2207052,
      media: { position: 2, count: 3, url: URLS[1], carouselChild: true },
    });
    expect(e.cause).toBeInstanceOf(MetaApiError);
    const c = classifyProviderError(e.failure);
    expect(c).toMatchObject({ class: "content", action: "fix_content", code: "9004/2207052" });
    expect(c.message).toContain(`Carousel item 2 of 3 (${URLS[1]})`);
  });

  it("a single image refused at container creation is item 1", async () => {
    const { client } = fakeClient(() => {
      throw metaErrorFrom(400, { error: { message: "x", code: 36000, error_subcode: 2207004 } }, "POST");
    });
    const e = await stepFailure(() => instagramPublisher(client).step(input(feed), state({})));
    expect(e.failure.media).toEqual({ position: 1, count: 1, url: URLS[0] });
    expect(classifyProviderError(e.failure).message).toMatch(
      /^Media item 1 of 1 \(https:\/\/cdn\.example\/a\.jpg\): The image is too large/,
    );
  });

  it("a carousel in ERROR names the child whose own container failed, with its code", async () => {
    const statuses: Record<string, { status_code: string; status?: string }> = {
      "/parent": { status_code: "ERROR", status: "Error: Media upload has failed with error code 2207082" },
      "/c1": { status_code: "FINISHED" },
      "/c2": { status_code: "FINISHED" },
      "/c3": { status_code: "ERROR", status: "Error: Media upload has failed with error code 2207026" },
    };
    const { client, calls } = fakeClient((method, path) => {
      if (method !== "GET") throw new Error(`unexpected ${method} ${path}`);
      return statuses[path];
    });
    const e = await stepFailure(() =>
      instagramPublisher(client).step(
        input(carousel),
        state({ phase: "await", containerId: "parent", childContainerIds: ["c1", "c2", "c3"] }),
      ),
    );
    expect(calls.every((c) => c.method === "GET")).toBe(true);
    expect(e.failure).toMatchObject({
      subcode: 2207026,
      containerError: true,
      media: { position: 3, count: 3, url: URLS[2], carouselChild: true },
    });
    // The container is forgotten so a retry prepares new ones.
    expect(e.state).toMatchObject({ phase: "quota", containerId: undefined, childContainerIds: undefined });
    const c = classifyProviderError(e.failure);
    expect(c.providerCode).toBe("meta 2207026");
    expect(c.message).toContain(`Carousel item 3 of 3 (${URLS[2]})`);
  });

  it("a carousel in ERROR whose children cannot be read keeps the parent's failure", async () => {
    const { client } = fakeClient((_m, path) => {
      if (path === "/parent")
        return { status_code: "ERROR", status: "Error: Media upload has failed with error code 2207082" };
      throw new MetaApiError("Meta GET: down", {
        provider: "meta",
        classification: "transient",
        status: 500,
      });
    });
    const e = await stepFailure(() =>
      instagramPublisher(client).step(
        input(carousel),
        state({ phase: "await", containerId: "parent", childContainerIds: ["c1", "c2", "c3"] }),
      ),
    );
    expect(e.failure).toMatchObject({ subcode: 2207082, containerError: true });
    expect(e.failure.media).toBeUndefined();
  });

  it("a single container in ERROR names its item", async () => {
    const { client } = fakeClient(() => ({
      status_code: "ERROR",
      status: "Error: Media upload has failed with error code 2207052",
    }));
    const e = await stepFailure(() =>
      instagramPublisher(client).step(input(feed), state({ phase: "await", containerId: "k" })),
    );
    expect(e.failure.media).toEqual({ position: 1, count: 1, url: URLS[0] });
    expect(classifyProviderError(e.failure)).toMatchObject({ rule: "ig-media-url", code: "2207052" });
  });

  it("reads the publishing quota with or without the `data` wrapper", async () => {
    for (const answer of [
      { data: [{ quota_usage: 100, config: { quota_total: 100 } }] },
      { quota_usage: 100, config: { quota_total: 100 } },
    ]) {
      const { client } = fakeClient((_m, path) =>
        path.endsWith("/content_publishing_limit") ? answer : { data: [] },
      );
      const out = await instagramPublisher(client).step(input(feed), state({ phase: "quota" }));
      expect(out).toMatchObject({ next: "wait", reason: "quota" });
    }
  });
});

describe("Facebook publisher: a refused photo names the item", () => {
  it("photo 2 of 3 refused with 1366046", async () => {
    const { client } = fakeClient((_m, _p, params) => {
      if (params.url === URLS[1])
        throw metaErrorFrom(400, { error: { message: "x", code: 100, error_subcode: 1366046 } }, "POST");
      return { id: "photo" };
    });
    const content: PublishContent = { ...carousel, platform: "facebook", format: "multi_photo" };
    const e = await stepFailure(() =>
      facebookPublisher(client).step(
        { ...input(content), target: { kind: "facebook_page", externalId: "1", token: "t" } },
        state({ phase: "upload", mediaIds: ["p1"] }),
      ),
    );
    expect(e.failure.media).toEqual({ position: 2, count: 3, url: URLS[1] });
    expect(classifyProviderError(e.failure).message).toMatch(
      /^Media item 2 of 3 \(https:\/\/cdn\.example\/b\.jpg\): Facebook refused the photo/,
    );
  });
});
