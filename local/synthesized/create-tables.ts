/**
 * Creates a stack's tables in DynamoDB Local straight through the API (CreateTable), from their
 * synthesized definitions: keys, GSIs, streams. The quick way for tests that exercise what runs
 * on the tables, not how terraform creates them (apply-tables.ts does that, with the real
 * provider, for `npm run local`; tier 5 tests it).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../dynamodb-local';
import { regionOf, resourcesOf, SynthesizedStack } from './stack';
import { TABLE } from './local-profile';

export async function createTablesDirectly(stack: SynthesizedStack, endpoint: string): Promise<void> {
  for (const [, t] of resourcesOf(stack, TABLE)) {
    const client = dynamoClient(endpoint, regionOf(stack, t));
    try {
      await createSynthesizedTable(client, t);
    } finally {
      client.destroy();
    }
  }
}

/** One `aws_dynamodb_table` resource of a synthesized stack, created as it is defined there. */
export async function createSynthesizedTable(client: DynamoDBClient, t: any): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: t.name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: t.hash_key, KeyType: 'HASH' },
        // The writers' backlog tables have a sort key.
        ...(t.range_key ? [{ AttributeName: t.range_key, KeyType: 'RANGE' as const }] : []),
      ],
      AttributeDefinitions: t.attribute.map((a: any) => ({ AttributeName: a.name, AttributeType: a.type })),
      GlobalSecondaryIndexes: t.global_secondary_index?.map((g: any) => ({
        IndexName: g.name,
        KeySchema: [{ AttributeName: g.hash_key, KeyType: 'HASH' }],
        Projection: { ProjectionType: g.projection_type },
      })),
      StreamSpecification: t.stream_enabled ? { StreamEnabled: true, StreamViewType: t.stream_view_type } : undefined,
    }),
  );
}
