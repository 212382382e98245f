/** The ports of the operations context: the dead-letter queues and where their messages go back to. */

export type DeadLetterQueueId = "publish" | "webhook" | "scheduler" | "events";
export const DEAD_LETTER_QUEUES: readonly DeadLetterQueueId[] = ["publish", "webhook", "scheduler", "events"];

/** One received DLQ message. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  /** Message attributes (string and number values). */
  readonly attributes: Readonly<Record<string, { readonly dataType: string; readonly value: string }>>;
}

/** The DLQ being drained. */
export interface DeadLetterSource {
  /** Up to `max` (≤ 10) messages, hidden from other receivers until deleted or released. */
  receive(max: number): Promise<readonly DeadLetter[]>;
  delete(letter: DeadLetter): Promise<void>;
  /** Make a message visible again at once (dry run, or a replay that failed). */
  release(letter: DeadLetter): Promise<void>;
}

/** An event as EventBridge takes it back (PutEvents entry). */
export interface ReplayEvent {
  readonly source: string;
  readonly detailType: string;
  /** JSON text of `detail`. */
  readonly detail: string;
  readonly resources: readonly string[];
  readonly time?: string;
}

/** Where replays go. Each rejects when the message was not accepted. */
export interface ReplayTargets {
  sendToQueue(
    queue: "publish" | "webhook",
    body: string,
    attributes: DeadLetter["attributes"],
  ): Promise<void>;
  /** Puts the event on the stage bus. */
  putEvent(event: ReplayEvent): Promise<void>;
}
