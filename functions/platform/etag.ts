/**
 * Optimistic concurrency over HTTP: an entity's `version` is its ETag (`"3"`), and a change
 * must send it back in `If-Match`. The write itself is conditional on the version, so two
 * editors who read version 3 cannot both win.
 */
import { PreconditionFailedError, PreconditionRequiredError } from "./errors.js";

/** The strong ETag for a version number. */
export const etagFor = (version: number) => `"${version}"`;

/**
 * The version named by an `If-Match` header. Missing → 428; unreadable or `*` → 412 (we need
 * the exact version you read, not "any").
 */
export function versionFromIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === "") {
    throw new PreconditionRequiredError(
      "Send If-Match with the ETag from your last read, so that you do not overwrite someone else's change.",
    );
  }
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) {
    throw new PreconditionFailedError(`If-Match ${JSON.stringify(header)} is not an ETag this API issued.`);
  }
  return Number(match[1]);
}

/** 412 naming the current ETag, so a client can re-read and retry. */
export const staleVersion = (current: number) =>
  new PreconditionFailedError(
    `The resource changed since you read it (now at ETag ${etagFor(current)}); read it again and retry.`,
    { currentEtag: etagFor(current) },
  );
