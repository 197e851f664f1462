/**
 * Reads a DynamoDB Local table's real stream (DescribeStream, GetShardIterator, GetRecords) and
 * turns the records into the exact shape Lambda hands to a DynamoDB stream handler
 * (`DynamoDBRecord`: eventSourceARN, awsRegion, base64 binaries, epoch-second creation time).
 * Shards are followed as they close: a child is read after its parent, as the mapping does.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CreateTableCommand, DynamoDBClient, KeySchemaElement, TableDescription } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { toLambdaRecord } from '../handlers/common/stream-record';
import { describeShards, readableShards } from './stream/shards';
import { ShardReader } from './stream/shard-reader';

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
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  spec: TableSpec & { stream?: boolean } = {},
): Promise<TableDescription> {
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
  if (!out.TableDescription) throw new Error(`CreateTable ${tableName} returned no table description`);
  return out.TableDescription;
}

export { toLambdaRecord };

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

export interface StreamReaderOptions {
  /**
   * Describe the stream again only when a shard it read was closed and exhausted, instead of on
   * every read. A stream gains shards only as children of a shard that closed, so this finds the
   * same shards with one request fewer per read (the property tests read after every write).
   * @default false
   */
  readonly describeOnlyWhenAShardCloses?: boolean;
}

/** Follows every shard of one stream and returns each record once, in shard order. */
export class StreamReader {
  private readonly readers = new Map<string, ShardReader>();
  private readonly finished = new Set<string>();
  private shards?: Awaited<ReturnType<typeof describeShards>>;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
    readonly region: string,
    private readonly options: StreamReaderOptions = {},
  ) {}

  /** Every record written since the previous call (all shards, parents before children). */
  async readNew(): Promise<DynamoDBRecord[]> {
    const out: DynamoDBRecord[] = [];
    for (;;) {
      if (!this.shards || !this.options.describeOnlyWhenAShardCloses) this.shards = await describeShards(this.client, this.streamArn);
      const readable = readableShards(this.shards, this.finished);
      let closedOne = false;
      for (const shard of readable) {
        let reader = this.readers.get(shard.shardId);
        if (!reader)
          this.readers.set(shard.shardId, (reader = new ShardReader(this.client, this.streamArn, shard.shardId, 'TRIM_HORIZON')));
        for (;;) {
          const page = await reader.read();
          for (const r of page) out.push(toLambdaRecord(r, this.streamArn, this.region));
          if (reader.exhausted || page.length === 0) break;
        }
        if (reader.exhausted) {
          this.finished.add(shard.shardId);
          closedOne = true;
        }
      }
      // A closed parent lets its children be read in this same call.
      if (!closedOne) return out;
      this.shards = undefined;
    }
  }
}
