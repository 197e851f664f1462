/**
 * Example consumer of the high-volume orders stream (Kinesis Data Streams for DynamoDB), on the
 * consumer toolkit (`changeHandler`): keeps an `order-status` table with each order's latest
 * status, for a customer-facing status page.
 *
 * Kinesis records of a table's changes can arrive out of order and more than once (AWS documents
 * both). The toolkit orders an order's changes within a batch and settles a duplicate with its
 * original; across batches the projection does not trust arrival order: each write is conditional
 * on the change being newer than what the table holds, by DynamoDB's own creation time
 * (`createdAt`, epoch microseconds: exact with the MILLISECOND precision the library configures,
 * and with MICROSECOND). A deleted order leaves a `DELETED` marker with its time, so an older
 * update that arrives late cannot bring it back. That makes every write idempotent by itself, so
 * this consumer needs no idempotency table. Failures are reported per record, and an order's later
 * changes in the batch wait for its failed one.
 */
import { AttributeValue, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Change, changeHandler } from '../../handlers/consumer';

export interface OrderImage {
  orderId: string;
  status?: string;
  customerId?: string;
}

/** The status row a change leads to. */
export function statusRow(change: Change<OrderImage, { orderId: string }>): Record<string, AttributeValue> {
  const orderId = { S: change.keys.orderId };
  const changedAt: AttributeValue = { N: String(change.createdAt.epochMicros) };
  if (change.eventName === 'REMOVE') return { orderId, status: { S: 'DELETED' }, changedAt };
  const image = change.newImage;
  return {
    orderId,
    status: { S: image?.status ?? 'UNKNOWN' },
    customerId: image?.customerId ? { S: image.customerId } : { NULL: true },
    changedAt,
  };
}

let client: DynamoDBClient | undefined;

export const handler = changeHandler<OrderImage, { orderId: string }>(
  async (change) => {
    const tableName = process.env.STATUS_TABLE_NAME;
    if (!tableName) throw new Error('order-status: STATUS_TABLE_NAME is not set');
    client ??= new DynamoDBClient({});
    const row = statusRow(change);
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: row,
          ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt < :t',
          ExpressionAttributeValues: { ':t': row.changedAt },
        }),
      );
    } catch (e) {
      // Older than the row: stale, and done.
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  },
  { idempotency: false },
);
