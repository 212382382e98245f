/** The SQS client, built once per cold start (endpoint: `AWS_ENDPOINT_URL_SQS`). */
import { SQSClient } from "@aws-sdk/client-sqs";

export const sqs = new SQSClient({});
