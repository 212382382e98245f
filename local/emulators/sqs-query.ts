/**
 * The SQS query protocol (form-encoded `Action=…` requests, XML answers: what older AWS CLIs
 * and boto3 speak, Debian 12's `awscli` 2.9 among them) translated to and
 * from the JSON 1.0 protocol, so both protocols go through the same fixes in `sqs.ts`.
 *
 * Only the operations the front adjusts are translated ({@link QUERY_TRANSLATED}); the library
 * answers the others in the query protocol itself. Shapes follow the SQS API reference
 * ("Making query API requests", each action's "Request Parameters" and "Response Elements").
 */
import { randomUUID } from "node:crypto";

type Json = Record<string, unknown>;

/** Query actions translated to JSON (and their answers back to XML). */
export const QUERY_TRANSLATED = new Set([
  "ReceiveMessage",
  "DeleteMessage",
  "DeleteMessageBatch",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
  "GetQueueAttributes",
  "PurgeQueue",
  "CreateQueue",
]);

const XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

/** Query list member prefixes (`AttributeName.1`, `DeleteMessageBatchRequestEntry.1.Id`) by JSON member. */
const LISTS: Record<string, (op: string) => string> = {
  AttributeNames: () => "AttributeName",
  MessageSystemAttributeNames: () => "MessageSystemAttributeName",
  MessageAttributeNames: () => "MessageAttributeName",
  Entries: (op) => `${op}RequestEntry`,
};

/** The JSON body of a translated query request (`Action` and `Version` dropped). */
export function queryToJson(op: string, form: URLSearchParams): Json {
  const body: Json = {};
  const lists = new Map<string, Map<number, unknown>>();
  const listOf = (key: string) => {
    const existing = lists.get(key);
    if (existing) return existing;
    const created = new Map<number, unknown>();
    lists.set(key, created);
    return created;
  };
  const attributes = new Map<number, { Name?: string; Value?: string }>();
  const tags = new Map<number, { Key?: string; Value?: string }>();
  for (const [key, value] of form) {
    if (key === "Action" || key === "Version") continue;
    const parts = key.split(".");
    const listKey = Object.keys(LISTS).find((k) => LISTS[k]!(op) === parts[0]);
    if (listKey && parts.length >= 2) {
      const index = Number(parts[1]);
      const list = listOf(listKey);
      if (parts.length === 2) list.set(index, value);
      else list.set(index, { ...((list.get(index) as Json | undefined) ?? {}), [parts[2]!]: value });
    } else if (parts[0] === "Attribute" && parts.length === 3) {
      // CreateQueue: Attribute.N.Name / Attribute.N.Value
      const a = attributes.get(Number(parts[1])) ?? {};
      a[parts[2] as "Name" | "Value"] = value;
      attributes.set(Number(parts[1]), a);
    } else if (parts[0] === "Tag" && parts.length === 3) {
      const t = tags.get(Number(parts[1])) ?? {};
      t[parts[2] as "Key" | "Value"] = value;
      tags.set(Number(parts[1]), t);
    } else if (parts.length === 1) {
      body[key] = /^(MaxNumberOfMessages|VisibilityTimeout|WaitTimeSeconds)$/.test(key)
        ? Number(value)
        : value;
    }
  }
  for (const [key, list] of lists) {
    body[key] = [...list.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  }
  if (attributes.size) {
    body.Attributes = Object.fromEntries(
      [...attributes.values()].filter((a) => a.Name).map((a) => [a.Name!, a.Value ?? ""]),
    );
  }
  if (tags.size) {
    body.tags = Object.fromEntries(
      [...tags.values()].filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ""]),
    );
  }
  if (op === "ChangeMessageVisibilityBatch" && Array.isArray(body.Entries)) {
    body.Entries = (body.Entries as Json[]).map((e) =>
      e.VisibilityTimeout === undefined ? e : { ...e, VisibilityTimeout: Number(e.VisibilityTimeout) },
    );
  }
  return body;
}

const escapeXml = (v: unknown) =>
  String(v)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");

const el = (name: string, v: unknown) =>
  v === undefined || v === null ? "" : `<${name}>${escapeXml(v)}</${name}>`;

function attributesXml(attrs: unknown): string {
  if (!attrs || typeof attrs !== "object") return "";
  return Object.entries(attrs as Record<string, unknown>)
    .map(([k, v]) => `<Attribute>${el("Name", k)}${el("Value", v)}</Attribute>`)
    .join("");
}

function messageAttributesXml(attrs: unknown): string {
  if (!attrs || typeof attrs !== "object") return "";
  return Object.entries(attrs as Record<string, Json>)
    .map(
      ([k, v]) =>
        `<MessageAttribute>${el("Name", k)}<Value>${el("StringValue", v.StringValue)}${el("BinaryValue", v.BinaryValue)}${el("DataType", v.DataType)}</Value></MessageAttribute>`,
    )
    .join("");
}

function messageXml(m: Json): string {
  return `<Message>${el("MessageId", m.MessageId)}${el("ReceiptHandle", m.ReceiptHandle)}${el("MD5OfBody", m.MD5OfBody)}${el("Body", m.Body)}${attributesXml(m.Attributes)}${el("MD5OfMessageAttributes", m.MD5OfMessageAttributes)}${messageAttributesXml(m.MessageAttributes)}</Message>`;
}

function batchXml(op: string, out: Json): string {
  const ok = ((out.Successful ?? []) as Json[])
    .map((s) => `<${op}ResultEntry>${el("Id", s.Id)}</${op}ResultEntry>`)
    .join("");
  const failed = ((out.Failed ?? []) as Json[])
    .map(
      (f) =>
        `<BatchResultErrorEntry>${el("Id", f.Id)}${el("Code", f.Code)}${el("Message", f.Message)}${el("SenderFault", f.SenderFault ?? true)}</BatchResultErrorEntry>`,
    )
    .join("");
  return ok + failed;
}

/** The result element's content for a successful JSON answer, or undefined when the action has none. */
function resultXml(op: string, out: Json): string | undefined {
  switch (op) {
    case "ReceiveMessage":
      return ((out.Messages ?? []) as Json[]).map(messageXml).join("");
    case "DeleteMessageBatch":
    case "ChangeMessageVisibilityBatch":
      return batchXml(op, out);
    case "GetQueueAttributes":
      return attributesXml(out.Attributes);
    case "CreateQueue":
      return el("QueueUrl", out.QueueUrl);
    default:
      return undefined;
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON-protocol answer rendered as the query protocol's XML. */
export function jsonAnswerToQuery(op: string, answer: HttpAnswer): HttpAnswer {
  const requestId = answer.headers["x-amzn-requestid"] ?? randomUUID();
  const headers = { "content-type": "text/xml", "x-amzn-requestid": requestId };
  let parsed: Json = {};
  try {
    parsed = answer.body ? (JSON.parse(answer.body) as Json) : {};
  } catch {
    // not JSON: treated as an empty answer
  }
  const meta = `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`;
  if (answer.status >= 300) {
    // `x-amzn-query-error: <query code>;<Sender|Receiver>` carries the query protocol's code.
    const [queryCode, fault] = (answer.headers["x-amzn-query-error"] ?? "").split(";");
    const code =
      queryCode ||
      String(parsed.__type ?? "InternalFailure")
        .split("#")
        .pop();
    const type = fault || (answer.status >= 500 ? "Receiver" : "Sender");
    return {
      status: answer.status,
      headers,
      body: `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error>${el("Type", type)}${el("Code", code)}${el("Message", parsed.message ?? parsed.Message ?? "")}<Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const result = resultXml(op, parsed);
  const inner = result === undefined ? "" : `<${op}Result>${result}</${op}Result>`;
  return {
    status: answer.status,
    headers,
    body: `<?xml version="1.0"?><${op}Response xmlns="${XMLNS}">${inner}${meta}</${op}Response>`,
  };
}
