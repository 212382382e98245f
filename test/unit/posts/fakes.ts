/**
 * In-memory fakes of the posts ports, with the same conditional-write semantics as the
 * DynamoDB adapters (version + status conditions, transaction all-or-nothing), so use-case
 * tests exercise the real rules without AWS.
 */
import type { Target } from "../../../functions/connections/domain/target.js";
import type { MediaInfo } from "../../../functions/posts/domain/media.js";
import { type Delivery, goesAt, type Post } from "../../../functions/posts/domain/post.js";
import {
  type DeliveryStore,
  type MediaInspector,
  type PostStore,
  type PostsDeps,
  type ScheduleGateway,
  WriteConflict,
} from "../../../functions/posts/use-cases/ports.js";
import { defaultSettings, type TenantSettings } from "../../../functions/tenants/domain/settings.js";

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryPosts implements PostStore {
  readonly items = new Map<string, Post>();
  private key = (t: string, id: string) => `${t}/${id}`;
  async create(post: Post) {
    const k = this.key(post.tenantId, post.id);
    if (this.items.has(k)) throw new Error("exists");
    this.items.set(k, clone(post));
  }
  async get(tenantId: string, id: string) {
    const p = this.items.get(this.key(tenantId, id));
    return p ? clone(p) : undefined;
  }
  async replace(next: Post, expectedVersion: number) {
    const cur = this.items.get(this.key(next.tenantId, next.id));
    if (!cur || cur.version !== expectedVersion) {
      throw new WriteConflict(cur ? { version: cur.version, status: cur.status } : undefined);
    }
    this.items.set(this.key(next.tenantId, next.id), clone(next));
  }
  async delete(tenantId: string, id: string, expectedVersion: number, statuses: readonly string[]) {
    const cur = this.items.get(this.key(tenantId, id));
    if (!cur || cur.version !== expectedVersion || !statuses.includes(cur.status)) {
      throw new WriteConflict(cur ? { version: cur.version, status: cur.status } : undefined);
    }
    this.items.delete(this.key(tenantId, id));
  }
  async list(tenantId: string) {
    return { items: [...this.items.values()].filter((p) => p.tenantId === tenantId).map(clone) };
  }
}

export class MemoryDeliveries implements DeliveryStore {
  readonly items = new Map<string, Delivery>();
  constructor(private readonly posts: MemoryPosts) {}
  private key = (t: string, id: string) => `${t}/${id}`;
  async get(tenantId: string, id: string) {
    const d = this.items.get(this.key(tenantId, id));
    return d ? clone(d) : undefined;
  }
  async list(tenantId: string, filter: { from?: string; to?: string; status?: string; targetId?: string }) {
    const items = [...this.items.values()]
      .filter((d) => d.tenantId === tenantId)
      // The same key as GSI1SK: the time the delivery really goes.
      .filter((d) => (filter.from ? goesAt(d) >= filter.from : true))
      .filter((d) => (filter.to ? goesAt(d) < filter.to : true))
      .filter((d) => (filter.status ? d.status === filter.status : true))
      .filter((d) => (filter.targetId ? d.targetId === filter.targetId : true))
      .sort((a, b) => goesAt(a).localeCompare(goesAt(b)))
      .map(clone);
    return { items };
  }
  async createWithPost(deliveries: readonly Delivery[], post: Post, expectedPostVersion: number) {
    const cur = await this.posts.get(post.tenantId, post.id);
    if (!cur || cur.version !== expectedPostVersion) throw new WriteConflict();
    if (deliveries.some((d) => this.items.has(this.key(d.tenantId, d.id)))) throw new WriteConflict();
    for (const d of deliveries) this.items.set(this.key(d.tenantId, d.id), clone(d));
    await this.posts.replace(post, expectedPostVersion);
  }
  async replace(next: Delivery, expectedVersion: number, fromStatuses: readonly string[]) {
    const cur = this.items.get(this.key(next.tenantId, next.id));
    if (!cur || cur.version !== expectedVersion || !fromStatuses.includes(cur.status)) {
      throw new WriteConflict(cur ? { version: cur.version, status: cur.status } : undefined);
    }
    this.items.set(this.key(next.tenantId, next.id), clone(next));
  }
}

/** Records schedules by name; `failOn` makes the n-th upsert (1-based) throw. */
export class MemorySchedules implements ScheduleGateway {
  readonly schedules = new Map<string, { publishAt: string; version: number; correlationId: string }>();
  readonly calls: string[] = [];
  failOn?: number;
  private upserts = 0;
  async upsert(d: Delivery, correlationId: string) {
    this.upserts++;
    this.calls.push(`upsert ${d.scheduleName}`);
    if (this.failOn === this.upserts) throw new Error("Scheduler unavailable");
    this.schedules.set(d.scheduleName, { publishAt: d.publishAt, version: d.version, correlationId });
  }
  async remove(d: Delivery) {
    this.calls.push(`remove ${d.scheduleName}`);
    this.schedules.delete(d.scheduleName);
  }
}

export class MemoryMedia implements MediaInspector {
  readonly infos = new Map<string, MediaInfo>();
  set(url: string, info: Omit<Extract<MediaInfo, { ok: true }>, "ok" | "url">) {
    this.infos.set(url, { ok: true, url, ...info });
    return url;
  }
  async inspect(urls: readonly string[]) {
    return new Map(
      urls.map((u) => [
        u,
        this.infos.get(u) ?? { ok: false as const, url: u, code: "media_unreachable", message: "nope" },
      ]),
    );
  }
}

export const target = (
  id: string,
  platform: Target["platform"],
  status: Target["status"] = "ACTIVE",
  tenantId = "acme",
): Target => ({
  tenantId,
  id,
  connectionId: "con_1",
  platform,
  kind:
    platform === "facebook"
      ? "facebook_page"
      : platform === "instagram"
        ? "instagram_account"
        : "linkedin_organization",
  externalId: `ext-${id}`,
  name: `${platform} ${id}`,
  status,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
});

export interface World {
  deps: PostsDeps;
  posts: MemoryPosts;
  deliveries: MemoryDeliveries;
  schedules: MemorySchedules;
  media: MemoryMedia;
  targets: Map<string, Target>;
  settings: TenantSettings;
  clock: { now: Date };
  /** What the use cases reported through their log port. */
  warnings: { message: string; extra?: Record<string, unknown> }[];
}

export function world(settings: Partial<TenantSettings> = {}): World {
  const posts = new MemoryPosts();
  const deliveries = new MemoryDeliveries(posts);
  const schedules = new MemorySchedules();
  const media = new MemoryMedia();
  const targets = new Map<string, Target>();
  const clock = { now: new Date("2026-06-01T10:00:00.000Z") };
  let seq = 0;
  const w: World = {
    posts,
    deliveries,
    schedules,
    media,
    targets,
    clock,
    settings: { ...defaultSettings("acme"), ...settings },
    warnings: [],
    deps: undefined as unknown as PostsDeps,
  };
  w.deps = {
    posts,
    deliveries,
    schedules,
    media,
    targets: {
      getTarget: async (tenantId, id) =>
        targets.get(id)?.tenantId === tenantId ? targets.get(id) : undefined,
    },
    settings: { get: async () => w.settings },
    log: { warn: (message, extra) => w.warnings.push({ message, ...(extra ? { extra } : {}) }) },
    now: () => new Date(clock.now),
    newId: (prefix) => `${prefix}_${String(++seq).padStart(4, "0")}`,
    limits: { minLeadSeconds: 60, horizonDays: 365 },
  };
  return w;
}

export const JPEG_OK = {
  mime: "image/jpeg",
  kind: "image" as const,
  width: 1080,
  height: 1080,
  sizeBytes: 500_000,
};
export const MP4_OK = { mime: "video/mp4", kind: "video" as const, sizeBytes: 20_000_000 };
export const PDF_OK = { mime: "application/pdf", kind: "document" as const, sizeBytes: 2_000_000 };
