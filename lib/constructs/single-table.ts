import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { TABLE } from "../../schemas/resources.js";

export interface SingleTableProps {
  readonly tableName: string;
  /** Deletion protection on and RETAIN on stack deletion. Default: false (DESTROY). */
  readonly retain?: boolean;
}

/**
 * Herald's one DynamoDB table, derived from `TABLE` in `schemas/resources.ts` so the keys,
 * indexes and TTL attribute cannot drift from the code: on-demand, point-in-time recovery,
 * encrypted with the AWS managed KMS key, TTL on.
 */
export class SingleTable extends Construct {
  public readonly table: TableV2;

  constructor(scope: Construct, id: string, props: SingleTableProps) {
    super(scope, id);
    this.table = new TableV2(this, "Table", {
      tableName: props.tableName,
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.retain ?? false,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      globalSecondaryIndexes: TABLE.globalIndexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
    });
  }
}
