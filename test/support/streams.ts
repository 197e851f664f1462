/**
 * Reads a DynamoDB Local table's real stream (DescribeStream, GetShardIterator, GetRecords) and
 * turns the records into the exact shape Lambda hands to a DynamoDB stream handler
 * (`DynamoDBRecord`: eventSourceARN, awsRegion, base64 binaries, epoch-second creation time).
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CreateTableCommand, DynamoDBClient, KeySchemaElement, TableDescription } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { toLambdaRecord } from '../../handlers/internal/stream-record';

export interface TableSpec {
  /** Partition key name (string type). @default 'pk' */
  readonly partitionKey?: string;
  /** Optional sort key name (string type). */
  readonly sortKey?: string;
}

/** Creates a PAY_PER_REQUEST table with a NEW_AND_OLD_IMAGES stream; returns the stream ARN. */
export async function createStreamTable(client: DynamoDBClient, tableName: string, spec: TableSpec = {}): Promise<string> {
  const arn = (await createTable(client, tableName, { ...spec, stream: true })).LatestStreamArn;
  if (!arn) throw new Error(`table ${tableName} was created without a stream`);
  return arn;
}

/** Creates a PAY_PER_REQUEST table with string keys, with a NEW_AND_OLD_IMAGES stream or none. */
export async function createTable(client: DynamoDBClient, tableName: string, spec: TableSpec & { stream?: boolean } = {}): Promise<TableDescription> {
  const pk = spec.partitionKey ?? 'pk';
  const keys: KeySchemaElement[] = [{ AttributeName: pk, KeyType: 'HASH' }];
  if (spec.sortKey) keys.push({ AttributeName: spec.sortKey, KeyType: 'RANGE' });
  const out = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keys,
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })),
      ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
  return out.TableDescription!;
}

export { toLambdaRecord };

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

interface ShardState {
  iterator?: string;
  closed: boolean;
}

/** Follows every shard of one stream and returns each record once, in shard order. */
export class StreamReader {
  private readonly shards = new Map<string, ShardState>();

  constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
    readonly region: string,
  ) {}

  /** Every record written since the previous call (all shards, parents before children). */
  async readNew(): Promise<DynamoDBRecord[]> {
    const out: DynamoDBRecord[] = [];
    const desc = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of desc.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId!;
      let state = this.shards.get(id);
      if (!state) {
        state = { closed: false };
        this.shards.set(id, state);
      }
      if (state.closed) continue;
      if (!state.iterator) {
        const it = await this.client.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }));
        state.iterator = it.ShardIterator;
      }
      while (state.iterator) {
        const page = await this.client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
        for (const r of page.Records ?? []) out.push(toLambdaRecord(r, this.streamArn, this.region));
        state.iterator = page.NextShardIterator;
        if (!state.iterator) state.closed = true;
        if ((page.Records ?? []).length === 0) break;
      }
    }
    return out;
  }
}
