/**
 * The DynamoDB document client, built once per cold start. The endpoint comes from the
 * SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` variable, so the same code runs against
 * DynamoDB Local and AWS.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
