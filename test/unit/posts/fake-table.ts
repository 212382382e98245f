/**
 * A small in-memory table behind `aws-sdk-client-mock` for handler tests: Get, Put, Delete and
 * TransactWrite with the condition expressions our repositories use (attribute_(not_)exists,
 * =, <, IN, AND, OR, parentheses), and ConditionalCheckFailed / TransactionCanceled errors
 * shaped like the SDK's. Queries are not emulated (tests assert on their input instead).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

/** Evaluate a condition expression against an item (undefined = no item). */
export function evaluate(expr: string, item: Item | undefined, names: Names, values: Values): boolean {
  const tokens =
    expr.match(/\(|\)|,|[A-Za-z_][A-Za-z0-9_]*\([^)]*\)|<=|>=|<>|=|<|>|[#:]?[A-Za-z0-9_]+/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] as string;
  const operand = (t: string): unknown => {
    if (t.startsWith(":")) return values?.[t];
    const name = t.startsWith("#") ? (names?.[t] as string) : t;
    return item?.[name];
  };
  const primary = (): boolean => {
    const t = next();
    if (t === "(") {
      const v = or();
      next(); // ")"
      return v;
    }
    const fn = /^(attribute_not_exists|attribute_exists)\((.+)\)$/.exec(t);
    if (fn) {
      const has = item !== undefined && operand((fn[2] as string).trim()) !== undefined;
      return fn[1] === "attribute_exists" ? has : !has;
    }
    const left = operand(t);
    const op = next();
    if (op === "IN") {
      next(); // "("
      const options: unknown[] = [];
      while (peek() !== ")") {
        const v = next();
        if (v !== ",") options.push(operand(v));
      }
      next();
      return options.includes(left);
    }
    const right = operand(next());
    if (left === undefined) return false;
    switch (op) {
      case "=":
        return left === right;
      case "<>":
        return left !== right;
      case "<":
        return (left as number) < (right as number);
      case ">":
        return (left as number) > (right as number);
      default:
        throw new Error(`fake table: operator ${op} not supported`);
    }
  };
  const and = (): boolean => {
    let v = primary();
    while (peek() === "AND") {
      next();
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === "OR") {
      next();
      const r = and();
      v = v || r;
    }
    return v;
  };
  return or();
}

export class FakeTable {
  readonly items = new Map<string, Item>();
  readonly mock = mockClient(DynamoDBDocumentClient);
  private k = (key: Item) => `${key.PK}|${key.SK}`;

  constructor() {
    this.install();
  }

  install() {
    this.mock.reset();
    this.mock.on(GetCommand).callsFake(async (input) => {
      const item = this.items.get(this.k(input.Key));
      return { Item: item ? structuredClone(item) : undefined };
    });
    this.mock.on(PutCommand).callsFake(async (input) => {
      this.check(input.ConditionExpression, this.items.get(this.k(input.Item)), input);
      this.items.set(this.k(input.Item), structuredClone(input.Item));
      return {};
    });
    this.mock.on(DeleteCommand).callsFake(async (input) => {
      this.check(input.ConditionExpression, this.items.get(this.k(input.Key)), input);
      this.items.delete(this.k(input.Key));
      return {};
    });
    this.mock.on(TransactWriteCommand).callsFake(async (input) => {
      const puts = (input.TransactItems ?? []).map(
        (t: { Put: { Item: Item; ConditionExpression?: string } }) => t.Put,
      );
      const reasons = puts.map(
        (p: {
          Item: Item;
          ConditionExpression?: string;
          ExpressionAttributeNames?: Names;
          ExpressionAttributeValues?: Values;
        }) =>
          !p.ConditionExpression ||
          evaluate(
            p.ConditionExpression,
            this.items.get(this.k(p.Item)),
            p.ExpressionAttributeNames,
            p.ExpressionAttributeValues,
          )
            ? { Code: "None" }
            : { Code: "ConditionalCheckFailed" },
      );
      if (reasons.some((r: { Code: string }) => r.Code !== "None")) {
        throw new TransactionCanceledException({
          message: "Transaction cancelled",
          $metadata: {},
          CancellationReasons: reasons,
        });
      }
      for (const p of puts) this.items.set(this.k(p.Item), structuredClone(p.Item));
      return {};
    });
  }

  private check(
    expr: string | undefined,
    item: Item | undefined,
    input: { ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values },
  ) {
    if (expr && !evaluate(expr, item, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
    }
  }

  put(item: Item) {
    this.items.set(this.k(item), structuredClone(item));
  }

  /** Items whose PK starts with the prefix (e.g. `TENANT#acme#POST#`). */
  withPrefix(prefix: string) {
    return [...this.items.values()].filter((i) => String(i.PK).startsWith(prefix));
  }
}
