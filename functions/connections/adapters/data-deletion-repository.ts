/**
 * Meta data-deletion status records: PK `METADATADELETION#<code>` / SK `REQUEST`, TTL a year.
 * Global (no tenant prefix): Meta's status URL carries only the confirmation code, and the
 * record holds no personal data (counts and times only).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import type { DataDeletionRecord, DataDeletionRepository } from "../use-cases/ports.js";

const key = (code: string) => ({ PK: `METADATADELETION#${code}`, SK: "REQUEST" });

const DataDeletionItemSchema = z.object({
  confirmationCode: itemFields.id(),
  status: z.literal("completed"),
  connectionsAffected: z.number().check(z.int(), z.nonnegative()),
  requestedAt: itemFields.instant(),
  completedAt: itemFields.instant(),
  expiresAt: itemFields.epochSeconds(),
});

export function dynamoDataDeletionRepository(
  client: DynamoDBDocumentClient,
  table: string,
): DataDeletionRepository {
  return {
    async put(r) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { ...key(r.confirmationCode), entity: "MetaDataDeletion", ...r },
        }),
      );
    },
    async get(code) {
      const out = await client.send(new GetCommand({ TableName: table, Key: key(code) }));
      if (!out.Item) return undefined;
      const record: DataDeletionRecord = parseItem(
        DataDeletionItemSchema,
        out.Item,
        "Meta data-deletion record",
      );
      return record;
    },
  };
}
