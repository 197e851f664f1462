/**
 * Reads a DynamoDB Local table's real stream (DescribeStream, GetShardIterator, GetRecords) and
 * turns the records into the exact shape Lambda hands to a DynamoDB stream handler
 * (`DynamoDBRecord`: eventSourceARN, awsRegion, base64 binaries, epoch-second creation time).
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { CreateTableCommand, DynamoDBClient, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import {
  AttributeValue as StreamAttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  _Record,
} from '@aws-sdk/client-dynamodb-streams';

export interface TableSpec {
  /** Partition key name (string type). @default 'pk' */
  readonly partitionKey?: string;
  /** Optional sort key name (string type). */
  readonly sortKey?: string;
}

/** Creates a PAY_PER_REQUEST table with a NEW_AND_OLD_IMAGES stream; returns the stream ARN. */
export async function createStreamTable(client: DynamoDBClient, tableName: string, spec: TableSpec = {}): Promise<string> {
  const pk = spec.partitionKey ?? 'pk';
  const keys: KeySchemaElement[] = [{ AttributeName: pk, KeyType: 'HASH' }];
  if (spec.sortKey) keys.push({ AttributeName: spec.sortKey, KeyType: 'RANGE' });
  const out = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keys,
      AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const arn = out.TableDescription?.LatestStreamArn;
  if (!arn) throw new Error(`table ${tableName} was created without a stream`);
  return arn;
}

/** Lambda's JSON carries binaries as base64 strings; the SDK hands us bytes. */
function toLambdaAttribute(av: StreamAttributeValue): unknown {
  if (av.B !== undefined) return { B: Buffer.from(av.B).toString('base64') };
  if (av.BS !== undefined) return { BS: av.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (av.M !== undefined) return { M: toLambdaImage(av.M) };
  if (av.L !== undefined) return { L: av.L.map(toLambdaAttribute) };
  // DynamoDB Local 3.3.1 writes an empty map into stream images as `{}` (no type key); DynamoDB
  // and Lambda deliver `{"M":{}}`. Nothing else can come back typeless, so restore what AWS sends.
  if (Object.keys(av).length === 0) return { M: {} };
  return { ...av };
}

function toLambdaImage(image: Record<string, StreamAttributeValue> | undefined): any {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaAttribute(v)]));
}

/** One stream record as Lambda delivers it. */
export function toLambdaRecord(r: _Record, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const rec: DynamoDBRecord = {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      Keys: toLambdaImage(d.Keys),
      NewImage: toLambdaImage(d.NewImage),
      OldImage: toLambdaImage(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as any,
    },
  };
  if (r.userIdentity) rec.userIdentity = { type: r.userIdentity.Type, principalId: r.userIdentity.PrincipalId };
  return JSON.parse(JSON.stringify(rec));
}

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
