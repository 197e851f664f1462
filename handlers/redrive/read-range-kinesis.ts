/**
 * Reading a failed Kinesis range back by sequence number (the KinesisBatchInfo of the on-failure
 * record): GetShardIterator AT_SEQUENCE_NUMBER, then GetRecords until past the end sequence number
 * or caught up with the shard (MillisBehindLatest 0), which keeps the calls few: a shard serves
 * five GetRecords a second to all its shared readers together.
 */
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { toLambdaKinesisRecord } from './kinesis-lambda-record';
import { RangeSource, regionOf } from './read-range';

/**
 * Errors after which the range cannot come back: stream or shard gone, or a sequence number the
 * shard does not know. Throttling (ProvisionedThroughputExceededException), expired iterators and
 * KMS errors are transient: the message is delivered again later.
 */
const UNREADABLE = new Set(['ResourceNotFoundException', 'InvalidArgumentException']);

export function kinesisRangeSource(client: KinesisClient, invokeIdentityArn?: string): RangeSource<KinesisStreamRecord> {
  return {
    unreadable: UNREADABLE,
    async iteratorAt(range) {
      const it = await client.send(
        new GetShardIteratorCommand({
          StreamARN: range.streamArn,
          ShardId: range.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: range.startSequenceNumber,
        }),
      );
      return it.ShardIterator;
    },
    async page(iterator, range) {
      const page = await client.send(new GetRecordsCommand({ StreamARN: range.streamArn, ShardIterator: iterator, Limit: 1000 }));
      const ctx = { streamArn: range.streamArn, shardId: range.shardId, region: regionOf(range.streamArn), invokeIdentityArn };
      return {
        records: (page.Records ?? []).map((r) => toLambdaKinesisRecord(r, ctx)),
        next: page.NextShardIterator,
        caughtUp: page.MillisBehindLatest === 0,
      };
    },
  };
}
