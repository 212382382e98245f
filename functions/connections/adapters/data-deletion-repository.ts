/**
 * Meta data-deletion status records: PK `METADATADELETION#<code>` / SK `REQUEST`, TTL a year.
 * Global (no tenant prefix): Meta's status URL carries only the confirmation code, and the
 * record holds no personal data (counts and times only).
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DataDeletionRecord, DataDeletionRepository } from "../use-cases/meta-callbacks.js";

const key = (code: string) => ({ PK: `METADATADELETION#${code}`, SK: "REQUEST" });

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
      const { PK: _p, SK: _s, entity: _e, ...rest } = out.Item;
      return rest as unknown as DataDeletionRecord;
    },
  };
}
