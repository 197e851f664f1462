/**
 * Reads one shard of a DynamoDB stream in order, keeping its own iterator: a fresh one at the
 * starting position the first time, and AFTER_SEQUENCE_NUMBER of the last record read when an
 * iterator expired (they live 15 minutes). A shard is exhausted when GetRecords returns no next
 * iterator: it was closed and every record of it has been read.
 */
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ShardIteratorType,
  _Record,
} from '@aws-sdk/client-dynamodb-streams';

/** Where a mapping starts in a shard it did not read before. DynamoDB streams accept these two. */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/** GetRecords returns at most 1000 records per call. */
export const MAX_RECORDS_PER_READ = 1000;

export class ShardReader {
  private iterator?: string;
  private lastSequenceNumber?: string;
  /** True once every record of the (closed) shard has been read. */
  exhausted = false;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
    readonly shardId: string,
    private readonly start: StartingPosition,
  ) {}

  /** The next records of the shard (possibly none); one GetRecords call. */
  async read(limit = MAX_RECORDS_PER_READ): Promise<_Record[]> {
    if (this.exhausted) return [];
    this.iterator ??= await this.newIterator();
    let page: GetRecordsCommandOutput;
    try {
      page = await this.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    } catch (e) {
      if ((e as Error).name !== 'ExpiredIteratorException') throw e;
      this.iterator = await this.newIterator();
      page = await this.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    }
    const records = page.Records ?? [];
    if (records.length) this.lastSequenceNumber = records[records.length - 1].dynamodb?.SequenceNumber;
    this.iterator = page.NextShardIterator;
    if (!this.iterator) this.exhausted = true;
    return records;
  }

  private async newIterator(): Promise<string> {
    const type: ShardIteratorType = this.lastSequenceNumber ? 'AFTER_SEQUENCE_NUMBER' : this.start;
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: this.shardId,
        ShardIteratorType: type,
        SequenceNumber: this.lastSequenceNumber,
      }),
    );
    if (!out.ShardIterator) throw new Error(`GetShardIterator ${type} gave no iterator for ${this.shardId} of ${this.streamArn}`);
    return out.ShardIterator;
  }
}
