/** The generic Idempotency-Key wrapper against an in-memory store: replay, 422, 409 while running, release on error. */
import { describe, expect, it } from "vitest";
import type { HttpRoute } from "../../../functions/manifest.js";
import type { AuthContext } from "../../../functions/platform/auth.js";
import type { HttpRequest, HttpResponse } from "../../../functions/platform/http.js";
import {
  canonicalJson,
  type IdempotencyRecord,
  type IdempotencyStore,
  idempotent,
} from "../../../functions/platform/idempotency.js";

class MemoryStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  private k = (s: { tenantId: string; route: string; key: string }) => `${s.tenantId}|${s.route}|${s.key}`;
  async claim(s: { tenantId: string; route: string; key: string }, requestHash: string) {
    const cur = this.records.get(this.k(s));
    if (cur) return cur;
    this.records.set(this.k(s), { status: "IN_PROGRESS", requestHash });
    return undefined;
  }
  async complete(
    s: { tenantId: string; route: string; key: string },
    requestHash: string,
    response: IdempotencyRecord["response"],
  ) {
    this.records.set(this.k(s), { status: "COMPLETE", requestHash, ...(response ? { response } : {}) });
  }
  async release(s: { tenantId: string; route: string; key: string }) {
    this.records.delete(this.k(s));
  }
}

const route: HttpRoute = {
  type: "http",
  method: "POST",
  path: "/v1/posts",
  auth: { roles: ["editor"] },
  operationId: "createPost",
};
const req = (
  body: unknown,
  key?: string,
  tenantId = "acme",
): HttpRequest<unknown, unknown, unknown, AuthContext> => ({
  body,
  query: undefined,
  path: undefined,
  headers: key ? { "idempotency-key": key } : {},
  auth: { tenantId, userId: "u", roles: ["editor"] },
  correlationId: "c",
  route,
});

describe("idempotent()", () => {
  it("runs once per key and replays status, body and ETag", async () => {
    const store = new MemoryStore();
    let runs = 0;
    const fn = idempotent(
      () => store,
      async (): Promise<HttpResponse> => ({
        statusCode: 201,
        body: { n: ++runs },
        headers: { etag: '"1"', "x-other": "dropped" },
      }),
    );
    const a = await fn(req({ a: 1, b: 2 }, "k"));
    const b = await fn(req({ b: 2, a: 1 }, "k")); // same body, other key order
    expect(runs).toBe(1);
    expect(b).toEqual({
      statusCode: 201,
      body: { n: 1 },
      headers: { etag: '"1"', "idempotency-replayed": "true" },
    });
    expect(a.body).toEqual(b.body);
  });

  it("422 on a different body, 409 while the first is still running", async () => {
    const store = new MemoryStore();
    let release: () => void = () => undefined;
    const fn = idempotent(
      () => store,
      () =>
        new Promise<HttpResponse>((r) => {
          release = () => r({ statusCode: 200, body: {} });
        }),
    );
    const first = fn(req({ a: 1 }, "k"));
    await expect(fn(req({ a: 1 }, "k"))).rejects.toMatchObject({ statusCode: 409 });
    await expect(fn(req({ a: 2 }, "k"))).rejects.toMatchObject({ statusCode: 422 });
    release();
    await first;
  });

  it("releases the key when the operation throws, so a retry runs", async () => {
    const store = new MemoryStore();
    let fail = true;
    const fn = idempotent(
      () => store,
      async (): Promise<HttpResponse> => {
        if (fail) throw new Error("boom");
        return { statusCode: 200, body: { ok: true } };
      },
    );
    await expect(fn(req({}, "k"))).rejects.toThrow("boom");
    expect(store.records.size).toBe(0);
    fail = false;
    await expect(fn(req({}, "k"))).resolves.toMatchObject({ statusCode: 200 });
  });

  it("hashes canonically", () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null, u: undefined })).toBe(
      '{"a":null,"b":[1,{"c":2,"d":1}]}',
    );
  });
});
