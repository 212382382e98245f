/** The EventBridge client, built once per cold start (endpoint: `AWS_ENDPOINT_URL_EVENTBRIDGE`). */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";

export const eventbridge = new EventBridgeClient({});
