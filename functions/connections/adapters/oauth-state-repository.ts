/**
 * OAuth states: PK `OAUTHSTATE#<sha256(state)>` / SK `OAUTHSTATE`, TTL `expiresAt`.
 * Not under a tenant prefix on purpose: the public callback knows only the state, and the
 * tenant is what the state tells us. Consumed with a conditional delete (single use).
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "../../../schemas/zod.js";
import { itemFields, parseItem } from "../../platform/dynamodb/items.js";
import { PROVIDERS } from "../domain/connection.js";
import type { OAuthStateRecord, OAuthStateRepository } from "../use-cases/ports.js";

export const oauthStateKey = (stateHash: string) => ({ PK: `OAUTHSTATE#${stateHash}`, SK: "OAUTHSTATE" });

const OAuthStateItemSchema = z.object({
  stateHash: itemFields.id(),
  tenantId: itemFields.id(),
  userId: itemFields.id(),
  provider: z.enum(PROVIDERS),
  returnUrl: z.string(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  codeVerifier: z.optional(z.string()),
  createdAt: itemFields.instant(),
  expiresAt: itemFields.epochSeconds(),
});

export function dynamoOAuthStateRepository(
  client: DynamoDBDocumentClient,
  table: string,
): OAuthStateRepository {
  return {
    async put(record) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { ...oauthStateKey(record.stateHash), entity: "OAuthState", ...record },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    },
    async consume(stateHash) {
      try {
        const out = await client.send(
          new DeleteCommand({
            TableName: table,
            Key: oauthStateKey(stateHash),
            ConditionExpression: "attribute_exists(PK)",
            ReturnValues: "ALL_OLD",
          }),
        );
        if (!out.Attributes) return undefined;
        const record: OAuthStateRecord = parseItem(OAuthStateItemSchema, out.Attributes, "OAuth state");
        return record;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
  };
}
