/**
 * The stored shapes of posts and deliveries, parsed on every read (`parseItem`): an item that
 * does not have them is one clear `CorruptItemError` naming its key and the bad fields where it
 * is read, logged by the handler chain, never a cast object that fails three calls later.
 * The schemas strip key and index attributes (`PK`, `GSI1SK`, `entity`).
 */
import {
  DELIVERY_ERROR_ACTIONS,
  DELIVERY_ERROR_CLASSES,
  DeliveryStatusSchema,
  LedgerEntrySchema,
} from "../../../schemas/api/deliveries.js";
import {
  ContentSchema,
  HistoryEntrySchema,
  PostStatusSchema,
  VariantsSchema,
} from "../../../schemas/api/posts.js";
import * as z from "../../../schemas/zod.js";
import { itemFields } from "../../platform/dynamodb/items.js";
import type { Delivery, DeliveryError, Post } from "../domain/post.js";

const PlatformSchema = z.enum(["facebook", "instagram", "linkedin"]);

export const PostItemSchema = z.object({
  tenantId: itemFields.id(),
  id: itemFields.id(),
  status: PostStatusSchema,
  version: z.number().check(z.int()),
  content: ContentSchema,
  variants: z.optional(VariantsSchema),
  targetIds: z.array(z.string()),
  deliveryIds: z.array(z.string()),
  history: z.array(HistoryEntrySchema),
  createdAt: itemFields.instant(),
  createdBy: z.string(),
  updatedAt: itemFields.instant(),
});

/** `lastError` as stored; items written before `code` was named carry it as `providerCode`. */
const DeliveryErrorItemSchema = z.pipe(
  z.object({
    class: z.enum(DELIVERY_ERROR_CLASSES),
    code: z.optional(z.string()),
    providerCode: z.optional(z.string()),
    message: z.string(),
    action: z.enum(DELIVERY_ERROR_ACTIONS),
    retry: z.optional(z.string()),
    rule: z.optional(z.string()),
    waitUntil: z.optional(z.string()),
    existingUrn: z.optional(z.string()),
    raw: z.optional(z.unknown()),
  }),
  z.transform(
    ({ code, providerCode, ...rest }): DeliveryError => ({
      ...rest,
      code: code ?? providerCode ?? "unknown",
    }),
  ),
);

const VersionRef = { fromVersion: z.number().check(z.int()), at: itemFields.instant() };

export const DeliveryItemSchema = z.object({
  tenantId: itemFields.id(),
  id: itemFields.id(),
  postId: itemFields.id(),
  targetId: itemFields.id(),
  platform: PlatformSchema,
  status: DeliveryStatusSchema,
  version: z.number().check(z.int()),
  publishAt: itemFields.instant(),
  timeZone: z.string(),
  scheduleName: z.string(),
  ledger: z.array(LedgerEntrySchema),
  providerPostId: z.optional(z.string()),
  permalink: z.optional(z.string()),
  createdAt: itemFields.instant(),
  updatedAt: itemFields.instant(),
  nextAttemptAt: z.optional(itemFields.instant()),
  lastError: z.optional(DeliveryErrorItemSchema),
  publishedAt: z.optional(itemFields.instant()),
  deadLetter: z.optional(z.object({ ...VersionRef, messageId: z.string() })),
  lease: z.optional(
    z.object({ until: itemFields.instant(), fromVersion: z.number().check(z.int()), messageId: z.string() }),
  ),
  handoff: z.optional(z.object({ ...VersionRef, via: z.enum(["queue", "scheduler"]) })),
  publishing: z.optional(z.unknown()),
});

// The schemas must produce the domain types (a field added to one and not the other fails here).
export const parsedPost = (p: z.infer<typeof PostItemSchema>): Post => p;
export const parsedDelivery = (d: z.infer<typeof DeliveryItemSchema>): Delivery => d;
