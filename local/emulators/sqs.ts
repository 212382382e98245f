/**
 * SQS emulator: `local-aws-sqs` (in-process, JSON 1.0 and query protocols) behind a thin
 * HTTP front that fixes the bugs we measured and reports activity.
 *
 * Reproduced (by the library): queues standard and FIFO, DelaySeconds, visibility timeout,
 * ChangeMessageVisibility(Batch), long polling, batch send/delete, message attributes with their
 * MD5s, RedrivePolicy (maxReceiveCount → DLQ, keeping the message id), StartMessageMoveTask /
 * ListMessageMoveTasks / CancelMessageMoveTask (DLQ → source), ListDeadLetterSourceQueues.
 *
 * Fixed here, for JSON-protocol requests (what SDK v3 sends) and query-protocol ones (what the
 * older AWS CLIs send, e.g. Debian 12's `awscli` 2.9): the query actions below are
 * translated to JSON, go through the same fixes, and are answered in XML (`sqs-query.ts`):
 * - `MessageSystemAttributeNames` on ReceiveMessage is honoured (the library only reads
 *   `AttributeNames`), so `ApproximateReceiveCount` comes back either way;
 * - `ApproximateNumberOfMessages` counts visible messages only (the library adds in-flight ones);
 * - PurgeQueue empties the queue at once (the library waits 60 s);
 * - ChangeMessageVisibility no longer counts as a receive (the library bumps
 *   ApproximateReceiveCount, which sent messages to the DLQ early);
 * - DeleteMessage with a stale receipt handle (the message was received again since) succeeds
 *   as a no-op, as in AWS; the library deleted the message.
 *
 * - a long poll returns as soon as any message is available (the library waited for
 *   MaxNumberOfMessages or the full WaitTimeSeconds);
 * - a receive with visibility 0 returns each message once (the library could repeat a message
 *   within one answer, counting a receive each time).
 *
 * Not reproduced: a message goes to the DLQ when its last visibility timeout ends (AWS moves it
 * on the next receive; the observable order is the same); receives are answered on a 10 ms
 * scan with a 40 ms floor, so an empty short poll takes ~40 ms; no IAM, KMS or quotas; the
 * move task moves at most `MaxNumberOfMessagesPerSecond` (default 300 here, AWS 500) per second.
 * Other query actions (SendMessage, GetQueueUrl, ListQueues, …) are answered by the library's
 * own query support.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { createRequestHandler } from "local-aws-sqs";
import { createActivity, readBody, resolveOptions, serve } from "./internal.js";
import { jsonAnswerToQuery, QUERY_TRANSLATED, queryToJson } from "./sqs-query.js";
import type { EmulatorBaseOptions, RunningEmulator } from "./types.js";

type SqsService = ReturnType<typeof createRequestHandler>["service"];
type Queue = SqsService["Queues"][number];

/** The library's internal message entry (what `setRecord` returns for a stored message). */
interface Entry {
  visible: boolean;
  record: { MessageId: string; ReceiptHandle: string; attributes: Record<string, string | undefined> };
}

/** What the library wrote to our stand-in response. */
interface Captured {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Json = Record<string, unknown>;

const JSON_CONTENT_TYPE = "application/x-amz-json-1.0";
const BODY_PREVIEW = 2048;

/** Starts the SQS emulator on loopback (port 0 = ephemeral). */
export async function startSqsEmulator(opts: EmulatorBaseOptions = {}): Promise<RunningEmulator> {
  const o = resolveOptions(opts);
  const { emitter, emit } = createActivity("sqs");
  const { service, requestHandler } = createRequestHandler({
    port: o.port,
    hostname: o.host,
    region: o.region,
    accountId: o.accountId,
    // Tests delete and recreate queues; AWS's 60 s wait would only slow them down.
    emulateQueueCreationLifecycle: false,
  });

  /** Live entries by message id: the handle to fix receive counts and detect stale handles. */
  const entries = new Map<string, Entry>();
  const hooked = new WeakSet<Queue>();
  let closed = false;

  const onRecord = (queue: Queue, input: Json, out: Entry) => {
    const messageId = out.record.MessageId;
    const previous = entries.get(messageId);
    const stored = "visible" in out;
    if (stored) entries.set(messageId, out);
    const systemAttrs = (input.MessageSystemAttributes ?? {}) as Record<string, { StringValue?: string }>;
    const dlqSource = systemAttrs.DeadLetterQueueSourceArn?.StringValue;
    if (dlqSource) {
      emit("message-moved-to-dlq", {
        queue: queue.QueueName,
        from: dlqSource.split(":").pop(),
        messageId,
        receiveCount: Number(previous?.record.attributes.ApproximateReceiveCount ?? 0),
      });
    } else if ("QueueUrl" in input || "Id" in input) {
      // An API send (SendMessage carries QueueUrl, SendMessageBatch entries carry Id).
      emit("message-sent", {
        queue: queue.QueueName,
        messageId,
        body: String(input.MessageBody ?? "").slice(0, BODY_PREVIEW),
        ...(input.MessageGroupId ? { messageGroupId: input.MessageGroupId } : {}),
        ...(input.DelaySeconds !== undefined ? { delaySeconds: Number(input.DelaySeconds) } : {}),
        ...(stored ? {} : { deduplicated: true }),
      });
    } else {
      // The library's move task is the only other writer.
      emit("message-moved", { queue: queue.QueueName, messageId, reason: "message-move-task" });
    }
  };

  const hookQueues = () => {
    for (const queue of service.Queues) {
      if (hooked.has(queue)) continue;
      hooked.add(queue);
      const original = queue.setRecord;
      queue.setRecord = (input: Json, messageId?: string) => {
        const out = original(input, messageId);
        onRecord(queue, input, out);
        return out;
      };
    }
  };

  const queueByUrl = (url: unknown): Queue | undefined => {
    if (typeof url !== "string") return undefined;
    const name = url.split("/").filter(Boolean).pop();
    return service.Queues.find((q) => q.QueueName === name);
  };

  /** Runs one request through the library with these headers and body. */
  const forward = async (headers: IncomingMessage["headers"], body: Buffer): Promise<Captured> => {
    const fakeReq = Object.assign(Readable.from(body.length ? [body] : []), { headers });
    const captured: Captured = { status: 200, headers: {}, body: "" };
    const fakeRes = {
      set statusCode(v: number) {
        captured.status = v;
      },
      get statusCode() {
        return captured.status;
      },
      setHeader(k: string, v: string) {
        captured.headers[k.toLowerCase()] = String(v);
      },
      end(b?: string) {
        captured.body = b ?? "";
      },
    };
    await requestHandler(fakeReq as unknown as IncomingMessage, fakeRes as unknown as ServerResponse);
    hookQueues();
    return captured;
  };

  const reply = (res: ServerResponse, c: Captured) => {
    res.statusCode = c.status;
    for (const [k, v] of Object.entries(c.headers)) res.setHeader(k, v);
    res.end(c.body);
  };
  const ok = (body: Json | undefined): Captured => ({
    status: 200,
    headers: { "content-type": JSON_CONTENT_TYPE },
    body: body ? JSON.stringify(body) : "",
  });

  const jsonOf = (text: string): Json => {
    try {
      const v = text ? JSON.parse(text) : {};
      return v && typeof v === "object" ? (v as Json) : {};
    } catch {
      return {};
    }
  };

  /** JSON-protocol operations we adjust; everything else goes straight to the library. */
  const handleJson = async (op: string, body: Json): Promise<Captured> => {
    const headers = { "content-type": JSON_CONTENT_TYPE, "x-amz-target": `AmazonSQS.${op}` };
    const send = (b: Json) => forward(headers, Buffer.from(JSON.stringify(b)));
    switch (op) {
      case "ReceiveMessage": {
        const names = new Set<string>([
          ...asStrings(body.AttributeNames),
          ...asStrings(body.MessageSystemAttributeNames),
        ]);
        const queue = queueByUrl(body.QueueUrl);
        const withNames = names.size ? { ...body, AttributeNames: [...names] } : body;
        const wait = Number(body.WaitTimeSeconds ?? queue?.ReceiveMessageWaitTimeSeconds ?? 0);
        // Let the library answer anything it would refuse (bad wait time, unknown queue).
        if (!queue || !Number.isInteger(wait) || wait < 0 || wait > 20) return send(withNames);
        const deadline = Date.now() + wait * 1000;
        // With visibility 0 the library hands the same message out again within one scan, so
        // one answer could repeat it; hide for the scan, then make the messages visible again.
        const visibleAtOnce = Number(body.VisibilityTimeout ?? queue.VisibilityTimeout) === 0;
        const shortPoll = {
          ...withNames,
          WaitTimeSeconds: 0,
          ...(visibleAtOnce ? { VisibilityTimeout: 30 } : {}),
        };
        // The library's long poll waits until MaxNumberOfMessages arrive; AWS answers as soon
        // as any message is there. Repeated short polls (~40 ms each) give the AWS behaviour.
        let out = await send(shortPoll);
        while (out.status === 200 && !jsonOf(out.body).Messages && Date.now() < deadline && !closed) {
          out = await send(shortPoll);
        }
        for (const m of (jsonOf(out.body).Messages ?? []) as Json[]) {
          const id = String(m.MessageId);
          const entry = entries.get(id);
          if (visibleAtOnce && entry) {
            const count = entry.record.attributes.ApproximateReceiveCount;
            queue.changeVisibility(String(m.ReceiptHandle), "0");
            entry.record.attributes.ApproximateReceiveCount = count;
          }
          emit("message-received", {
            queue: queue?.QueueName,
            messageId: id,
            receiveCount: Number(entries.get(id)?.record.attributes.ApproximateReceiveCount ?? 0),
          });
        }
        return out;
      }
      case "DeleteMessage": {
        const id = messageIdOf(body.ReceiptHandle);
        const entry = id ? entries.get(id) : undefined;
        if (entry && entry.record.ReceiptHandle !== body.ReceiptHandle) return ok(undefined);
        const out = await send(body);
        if (out.status === 200 && id) deleted(body.QueueUrl, id);
        return out;
      }
      case "DeleteMessageBatch": {
        const all = (Array.isArray(body.Entries) ? body.Entries : []) as Json[];
        const stale = all.filter((e) => {
          const id = messageIdOf(e.ReceiptHandle);
          const entry = id ? entries.get(id) : undefined;
          return entry !== undefined && entry.record.ReceiptHandle !== e.ReceiptHandle;
        });
        const live = all.filter((e) => !stale.includes(e));
        const staleOk = stale.map((e) => ({ Id: e.Id }));
        if (all.length > 0 && live.length === 0) return ok({ Successful: staleOk, Failed: [] });
        const out = await send({ ...body, Entries: live });
        if (out.status !== 200) return out;
        const parsed = jsonOf(out.body);
        const succeeded = new Set(((parsed.Successful ?? []) as Json[]).map((s) => s.Id));
        for (const e of live) {
          const id = messageIdOf(e.ReceiptHandle);
          if (id && succeeded.has(e.Id)) deleted(body.QueueUrl, id);
        }
        return {
          ...out,
          body: JSON.stringify({
            ...parsed,
            Successful: [...((parsed.Successful ?? []) as Json[]), ...staleOk],
          }),
        };
      }
      case "ChangeMessageVisibility":
      case "ChangeMessageVisibilityBatch": {
        const handles =
          op === "ChangeMessageVisibility"
            ? [body.ReceiptHandle]
            : ((Array.isArray(body.Entries) ? body.Entries : []) as Json[]).map((e) => e.ReceiptHandle);
        const before = handles.flatMap((h) => {
          const id = messageIdOf(h);
          const entry = id ? entries.get(id) : undefined;
          return entry ? [{ entry, count: entry.record.attributes.ApproximateReceiveCount }] : [];
        });
        const out = await send(body);
        for (const { entry, count } of before) entry.record.attributes.ApproximateReceiveCount = count;
        return out;
      }
      case "GetQueueAttributes": {
        const out = await send(body);
        const queue = queueByUrl(body.QueueUrl);
        const parsed = jsonOf(out.body);
        const attrs = parsed.Attributes as Record<string, string> | undefined;
        if (out.status === 200 && queue && attrs?.ApproximateNumberOfMessages !== undefined) {
          const counts = queue.getAttributes([
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
          ]);
          attrs.ApproximateNumberOfMessages = String(
            Number(counts.ApproximateNumberOfMessages) - Number(counts.ApproximateNumberOfMessagesNotVisible),
          );
          return { ...out, body: JSON.stringify(parsed) };
        }
        return out;
      }
      case "PurgeQueue": {
        const queue = queueByUrl(body.QueueUrl);
        if (!queue) return send(body);
        queue.clearRecords();
        emit("queue-purged", { queue: queue.QueueName });
        return ok(undefined);
      }
      case "CreateQueue": {
        const out = await send(body);
        if (out.status === 200) emit("queue-created", { queue: body.QueueName });
        return out;
      }
      default:
        return send(body);
    }
  };

  const deleted = (queueUrl: unknown, messageId: string) => {
    entries.delete(messageId);
    emit("message-deleted", { queue: queueByUrl(queueUrl)?.QueueName, messageId });
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const target = req.headers["x-amz-target"];
    const contentType = String(req.headers["content-type"] ?? "");
    if (contentType === JSON_CONTENT_TYPE && typeof target === "string") {
      const op = target.split(".")[1] ?? "";
      const body = jsonOf(raw.toString("utf8"));
      reply(res, await handleJson(op, body));
      return;
    }
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      // The query protocol: the operations we fix go through the JSON path and back.
      const form = new URLSearchParams(raw.toString("utf8"));
      const op = form.get("Action") ?? "";
      if (QUERY_TRANSLATED.has(op)) {
        reply(res, jsonAnswerToQuery(op, await handleJson(op, queryToJson(op, form))));
        return;
      }
    }
    reply(res, await forward(req.headers, raw));
  };

  const running = await serve(o, emitter, handler);
  // Queue URLs are built from the service's port; it must be the one we actually bound.
  service.PORT = running.port;
  return {
    url: running.url,
    port: running.port,
    activity: running.activity,
    close: async () => {
      closed = true;
      service.resetAll();
      entries.clear();
      await running.close();
    },
  };
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** The message id inside one of the library's receipt handles (base64 of uuid + JSON). */
function messageIdOf(handle: unknown): string | undefined {
  if (typeof handle !== "string") return undefined;
  try {
    const text = Buffer.from(handle, "base64").toString("utf8");
    const parsed = JSON.parse(text.slice(text.indexOf("{"))) as { MessageId?: unknown };
    return typeof parsed.MessageId === "string" ? parsed.MessageId : undefined;
  } catch {
    return undefined;
  }
}
