/**
 * Starts DynamoDB Local once through the test harness and lists its tables, so that a broken Java
 * or package install fails CI in seconds with a clear message instead of in the middle of the tests.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';

async function main(): Promise<void> {
  const db = await startDynamoDbLocal();
  try {
    const client = dynamoClient(db.endpoint);
    const tables = await client.send(new ListTablesCommand({}));
    client.destroy();
    console.log(`DynamoDB Local answered on ${db.endpoint} (${tables.TableNames?.length ?? 0} tables)`);
  } finally {
    await db.stop();
  }
}

main().catch((e) => {
  console.error(`DynamoDB Local did not start: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
