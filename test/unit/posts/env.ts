/** Environment the posts handlers read at cold start (set before they are imported, via vi.hoisted). */
export const POSTS_TEST_ENV = {
  HERALD_TABLE_NAME: "herald-test",
  HERALD_SCHEDULE_GROUP_NAME: "herald-test",
  HERALD_PUBLISH_QUEUE_ARN: "arn:aws:sqs:eu-west-1:123456789012:herald-test-publish",
  HERALD_SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/herald-test-scheduler",
  HERALD_SCHEDULER_DLQ_ARN: "arn:aws:sqs:eu-west-1:123456789012:herald-test-scheduler-dlq",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
} as const;
