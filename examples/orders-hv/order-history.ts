/**
 * Example consumer of the high-volume orders stream: an append-only history of every order change
 * (`order-history`: partition key orderId, sort key changedAt in epoch microseconds), for audits
 * and customer service. Each change has exactly one history item, keyed by its own creation time,
 * so a duplicated record rewrites the same item and a late one lands in its place in time: the
 * history is right whatever order and how often Kinesis delivers. Failures are reported per record.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { changedAtMicros, changeOf } from './change';

let client: DynamoDBClient | undefined;

export async function handler(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
  const tableName = process.env.HISTORY_TABLE_NAME;
  if (!tableName) throw new Error('order-history: HISTORY_TABLE_NAME is not set');
  client ??= new DynamoDBClient({});
  const batchItemFailures: KinesisStreamBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const change = changeOf(record);
    const orderId = change.dynamodb.Keys.orderId?.S;
    if (!orderId) continue;
    const image = change.dynamodb.NewImage ?? change.dynamodb.OldImage ?? {};
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            orderId: { S: orderId },
            changedAt: { N: String(changedAtMicros(change)) },
            change: { S: change.eventName },
            status: { S: change.eventName === 'REMOVE' ? 'DELETED' : (image.status?.S ?? 'UNKNOWN') },
            eventID: { S: change.eventID },
          },
        }),
      );
    } catch (e) {
      console.log(
        JSON.stringify({ level: 'ERROR', message: 'history not written', sequenceNumber: record.kinesis.sequenceNumber, error: String(e) }),
      );
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
    }
  }
  return { batchItemFailures };
}
