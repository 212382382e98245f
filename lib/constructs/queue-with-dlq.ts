import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { QueueDefinition } from "../../schemas/resources.js";

export interface QueueWithDlqProps {
  /** Shape from `schemas/resources.ts` `QUEUES`. */
  readonly definition: QueueDefinition;
  readonly queueName: string;
  readonly dlqName: string;
  /** RETAIN the dead-letter queue on stack deletion (its messages are evidence). Default: DESTROY. */
  readonly retainDlq?: boolean;
}

/**
 * A standard SQS work queue with its dead-letter queue: SSE (SQS-managed keys) and TLS-only
 * access on both, redrive after `maxReceiveCount` receives, the DLQ keeping messages longer
 * (a standard DLQ keeps the original enqueue time).
 */
export class QueueWithDlq extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const { definition } = props;
    this.deadLetterQueue = new Queue(this, "Dlq", {
      queueName: props.dlqName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.dlqRetentionDays),
      removalPolicy: props.retainDlq ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.queue = new Queue(this, "Queue", {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }
}
