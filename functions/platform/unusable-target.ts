/**
 * The one error the connections context and the publish worker share (a shared-kernel type,
 * so neither context imports the other): a target that cannot be published to, and that
 * retrying will not fix. Thrown by the connections context's target resolver
 * (functions/connections/use-cases/resolve-target.ts); the publish worker fails the delivery at
 * once with its `action` instead of retrying it into the dead-letter queue.
 */

/** What a person has to do about a target that cannot be published to. */
export type UnusableTargetAction = "reconnect" | "contact_support";

/**
 * A target cannot be published to and retrying will not change that: its stored token cannot
 * be decrypted (the connection has been flagged NEEDS_REAUTH and announced; `reconnect`), or
 * the token key itself is unusable (KMS) (`contact_support`: only an operator can fix it).
 */
export class TargetUnusableError extends Error {
  constructor(
    readonly targetId: string,
    readonly connectionId: string,
    readonly action: UnusableTargetAction,
    /** Token-free, machine-readable: `token_undecryptable:authentication_failed`, `token_key_unusable`. */
    readonly reason: string,
    /** A sentence for the delivery's ledger and the person who reads it. */
    message: string,
  ) {
    super(message);
    this.name = "TargetUnusableError";
  }
}
