/** The EventBridge Scheduler client, built once per cold start (endpoint: `AWS_ENDPOINT_URL_SCHEDULER`). */
import { SchedulerClient } from "@aws-sdk/client-scheduler";

export const scheduler = new SchedulerClient({});
