/**
 * Example consumer of the high-volume orders stream, on the consumer toolkit (`changeHandler`): an
 * append-only history of every order change (`order-history`: partition key orderId, sort key
 * changedAt in epoch microseconds), for audits and customer service. Each change has exactly one
 * history item, keyed by its own creation time, so a duplicated record rewrites the same item and a
 * late one lands in its place in time: the history is right whatever order and how often Kinesis
 * delivers, with no idempotency table. Failures are reported per record.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { changeHandler } from '../../handlers/consumer';
import type { OrderImage } from './order-status';

let client: DynamoDBClient | undefined;

export const handler = changeHandler<OrderImage, { orderId: string }>(
  async (change) => {
    const tableName = process.env.HISTORY_TABLE_NAME;
    if (!tableName) throw new Error('order-history: HISTORY_TABLE_NAME is not set');
    client ??= new DynamoDBClient({});
    const image = change.newImage ?? change.oldImage;
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          orderId: { S: change.keys.orderId },
          changedAt: { N: String(change.createdAt.epochMicros) },
          change: { S: change.eventName },
          status: { S: change.eventName === 'REMOVE' ? 'DELETED' : (image?.status ?? 'UNKNOWN') },
          // The change's identity: the same for a duplicate, so a rewrite changes nothing.
          changeId: { S: change.id },
        },
      }),
    );
  },
  { idempotency: false },
);
