/**
 * What Facebook and Instagram publishing share: the Graph call helper, the permalink read and
 * the first comment (both run on the published object), reading ids and Graph times.
 */
import type { FailedMediaItem } from "../../publishing/domain/provider-errors.js";
import type { PublishContent, PublishState, StepOutcome } from "../../publishing/domain/publish-state.js";
import { failureFromProviderError, ProviderError } from "../errors.js";
import { asText, type Json } from "../json.js";
import { StepFailureError, type StepInput } from "../publisher.js";
import type { MetaClient } from "./client.js";

export type { Json };
export const str = asText;

/** How far back (before the first attempt) a recent post may have been created and still be ours. */
export const MATCH_SLACK_MS = 2 * 60_000;

/** Graph time (`2026-11-26T12:00:00+0000`) to epoch ms. */
export function graphTimeMs(v: unknown): number {
  if (typeof v !== "string") return Number.NaN;
  return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
}

/** The `id` a creating Graph call answers with; an answer without one is a provider fault. */
export function idOf(out: Json, what: string): string {
  const id = str(out.id);
  if (!id)
    throw new StepFailureError({ provider: "meta", httpStatus: 200, message: `${what} answered no id` });
  return id;
}

/** The post's media item at `index` (0-based), as a failure names it; undefined past the end. */
export function mediaItemAt(
  content: PublishContent,
  index: number,
  carouselChild = false,
): FailedMediaItem | undefined {
  const item = content.media[index];
  if (!item) return undefined;
  return {
    position: index + 1,
    count: content.media.length,
    url: item.url,
    ...(carouselChild ? { carouselChild: true } : {}),
  };
}

/**
 * A failure met while handing one media item to Meta, as a step failure that names the item.
 * Anything that is not a provider answer (a defect) is passed through unchanged.
 */
export function aboutMediaItem(error: unknown, item: FailedMediaItem): unknown {
  if (error instanceof StepFailureError)
    return new StepFailureError({ ...error.failure, media: item }, error.state, { cause: error });
  if (error instanceof ProviderError)
    return new StepFailureError({ ...failureFromProviderError(error), media: item }, undefined, {
      cause: error,
    });
  return error;
}

export type GraphParams = Record<string, string | number | boolean | undefined>;

/** The Graph calls a publisher makes, bound to one client. */
export function graphSteps(client: MetaClient) {
  const req = <T = Json>(
    method: "GET" | "POST",
    path: string,
    token: string,
    params: GraphParams,
    label: string,
  ) => client.request<T>(method, path, { token, params, label });

  /** Read the published object's link (Pages: `permalink_url`; Instagram media: `permalink`), then comment. */
  async function readPermalink(
    token: string,
    state: PublishState,
    field: "permalink_url" | "permalink",
    operation: string,
  ): Promise<StepOutcome> {
    const out = await req(
      "GET",
      `/${encodeURIComponent(state.postId ?? "")}`,
      token,
      { fields: field },
      operation,
    );
    const permalink = str(out[field]);
    return {
      next: "now",
      state: { ...state, phase: "comment", ...(permalink ? { permalink } : {}) },
      note: "permalink read",
    };
  }

  /**
   * The first comment, at most once: when an earlier attempt may have posted it (Graph offers
   * no lookup by our own id), it is not posted again and the ledger says so.
   */
  async function comment(input: StepInput, state: PublishState): Promise<StepOutcome> {
    const text = input.content.firstComment;
    if (!text || state.commentId) return { next: "done", state: { ...state, phase: "done" }, note: "done" };
    if (state.uncertain) {
      return {
        next: "done",
        state: { ...state, phase: "done", uncertain: false },
        note: "the first comment may already have been posted by an interrupted attempt; not posted again",
      };
    }
    const out = await req(
      "POST",
      `/${encodeURIComponent(state.postId ?? "")}/comments`,
      input.target.token,
      { message: text },
      "POST /{object-id}/comments",
    );
    const id = str(out.id);
    return {
      next: "done",
      state: { ...state, phase: "done", ...(id ? { commentId: id } : {}) },
      note: `first comment posted${id ? ` (${id})` : ""}`,
    };
  }

  return { req, readPermalink, comment };
}
