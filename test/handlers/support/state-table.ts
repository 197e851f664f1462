/**
 * The replica writer's per-key state table, created the way ReplicatedTable declares it (partition
 * key `k` string, on demand; TTL is irrelevant in DynamoDB Local's short-lived tables).
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';

export function stateTableName(table: string): string {
  return `${table}-replication-state`;
}

export async function createStateTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
}

export function backlogTableName(table: string): string {
  return `${table}-replication-backlog`;
}

/** The writer's per-target backlog table, as ReplicatedTable declares it: `t` (S) partition, `k` (S) sort key. */
export async function createBacklogTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 't', KeyType: 'HASH' },
          { AttributeName: 'k', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 't', AttributeType: 'S' },
          { AttributeName: 'k', AttributeType: 'S' },
        ],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
}
