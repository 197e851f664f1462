/**
 * Example consumer of the high-volume orders stream (Kinesis Data Streams for DynamoDB): keeps an
 * `order-status` table with each order's latest status, for a customer-facing status page.
 *
 * Kinesis records of a table's changes can arrive out of order and more than once (AWS documents
 * both), so the projection does not trust arrival order: each write is conditional on the change
 * being newer than what the table holds, by DynamoDB's own creation time (`changedAt`, epoch
 * microseconds: exact with the MILLISECOND precision the library configures, and with
 * MICROSECOND). A deleted order leaves a `DELETED` marker with its time, so an older update that
 * arrives late cannot bring it back. Two changes to one order within the same millisecond are
 * ordered by arrival. Failures are reported per record (ReportBatchItemFailures).
 */
import { AttributeValue as ItemValue, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { Change, changedAtMicros, changeOf } from './change';

/** The status row a change leads to, or undefined when the change is not about an order. */
export function statusRow(change: Change): Record<string, ItemValue> | undefined {
  const orderId = change.dynamodb.Keys.orderId?.S;
  if (!orderId) return undefined;
  const changedAt: ItemValue = { N: String(changedAtMicros(change)) };
  if (change.eventName === 'REMOVE') return { orderId: { S: orderId }, status: { S: 'DELETED' }, changedAt };
  const image = change.dynamodb.NewImage ?? {};
  return {
    orderId: { S: orderId },
    status: { S: image.status?.S ?? 'UNKNOWN' },
    customerId: image.customerId?.S ? { S: image.customerId.S } : { NULL: true },
    changedAt,
  };
}

let client: DynamoDBClient | undefined;

/** Applies one record; a change older than the row's is stale and counts as done. */
export async function apply(ddb: DynamoDBClient, tableName: string, record: KinesisStreamRecord): Promise<'applied' | 'stale' | 'skipped'> {
  const change = changeOf(record);
  const row = statusRow(change);
  if (!row) return 'skipped';
  try {
    await ddb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: row,
        ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt < :t',
        ExpressionAttributeValues: { ':t': row.changedAt },
      }),
    );
    return 'applied';
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return 'stale';
    throw e;
  }
}

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const tableName = process.env.STATUS_TABLE_NAME;
  if (!tableName) throw new Error('order-status: STATUS_TABLE_NAME is not set');
  client ??= new DynamoDBClient({});
  const batchItemFailures: KinesisStreamBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await apply(client, tableName, record);
    } catch (e) {
      console.log(
        JSON.stringify({
          level: 'ERROR',
          message: 'order status not written',
          sequenceNumber: record.kinesis.sequenceNumber,
          error: String(e),
        }),
      );
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
    }
  }
  return { batchItemFailures };
}
