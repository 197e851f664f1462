import { Annotations } from 'cdktf';
import { IConstruct } from 'constructs';
import type { KinesisThroughput } from '../kinesis-stream';
import type { PolicyStatement } from '../props/policy';
import { kmsStatements } from './iam';
import { READER_LIMITS } from './source-rules';
import { PropsValidator } from './validation';

/**
 * Who reads one Kinesis stream, and the per-source reader budget:
 * - fan-out readers each get 2 MB/s per shard of their own, but AWS registers at most
 *   READER_LIMITS.kinesisFanOutConsumers consumers per stream: the next one fails synth;
 * - shared (polling) readers split 2 MB/s and 5 GetRecords calls per second per shard, and each
 *   reads everything DynamoDB writes (up to 1 MB/s per shard): past two of them the stream can be
 *   read slower than it is written, past five the polls alone exceed the call limit. Whether that
 *   happens depends on the write rate, so it is a synth warning, not an error.
 */
export class KinesisReaders {
  private readonly readers: { reader: IConstruct; throughput: KinesisThroughput }[] = [];

  constructor(
    private readonly owner: IConstruct,
    private readonly stream: string,
  ) {}

  get list(): readonly { reader: IConstruct; throughput: KinesisThroughput }[] {
    return [...this.readers];
  }

  /** Registers a reader; registering the same construct twice is a no-op. */
  add(reader: IConstruct, throughput: KinesisThroughput): void {
    if (this.readers.some((r) => r.reader === reader)) return;
    const same = this.readers.filter((r) => r.throughput === throughput);
    if (throughput === 'fan-out' && same.length >= READER_LIMITS.kinesisFanOutConsumers) {
      new PropsValidator(this.owner)
        .require(
          false,
          `the ${this.stream} already has ${same.length} enhanced fan-out consumers; ${reader.node.path} would be one more. ` +
            `Kinesis registers at most ${READER_LIMITS.kinesisFanOutConsumers} consumers ` +
            `per stream (RegisterStreamConsumer fails with LimitExceededException). ` +
            'Read with shared throughput (fanOut: false), or fan the records out from one consumer.',
        )
        .throwIfInvalid();
    }
    this.readers.push({ reader, throughput });
    if (throughput === 'shared') this.warnShared(same.length + 1);
  }

  private warnShared(count: number): void {
    const L = READER_LIMITS;
    const names = this.readers
      .filter((r) => r.throughput === 'shared')
      .map((r) => r.reader.node.path)
      .join(', ');
    if (count * L.lambdaPollsPerShardPerSecond > L.kinesisGetRecordsPerShardPerSecond) {
      Annotations.of(this.owner).addWarning(
        `The ${this.stream} has ${count} shared-throughput readers (${names}): Lambda polls ` +
          `each shard about ${L.lambdaPollsPerShardPerSecond} time a second per mapping, ` +
          `and a shard serves ${L.kinesisGetRecordsPerShardPerSecond} GetRecords calls a second for all of them, so polls will be ` +
          `throttled (ReadProvisionedThroughputExceeded) and every reader lags. Use enhanced fan-out (fanOut: true) for some of them.`,
      );
    } else if (count * L.kinesisShardWriteMBps > L.kinesisSharedReadMBps) {
      Annotations.of(this.owner).addWarning(
        `The ${this.stream} has ${count} shared-throughput readers (${names}): they share ${L.kinesisSharedReadMBps} ` +
          `MB/s of reads per shard while DynamoDB may write up to ${L.kinesisShardWriteMBps} MB/s per shard, ` +
          `so at a high write rate they cannot all keep up (ReadProvisionedThroughputExceeded, ` +
          `growing iterator age). Use enhanced fan-out (fanOut: true) for latency-sensitive readers.`,
      );
    }
  }
}

/**
 * What an event source mapping's role needs to read a Kinesis stream (the Lambda guide, "Process
 * Amazon Kinesis Data Streams records with Lambda": DescribeStream, DescribeStreamSummary,
 * GetRecords, GetShardIterator, ListShards, SubscribeToShard), on exact ARNs: SubscribeToShard
 * and DescribeStreamConsumer act on the fan-out consumer, the rest on the stream.
 */
export function kinesisReadAccess(streamArn: string, keyArn: string | undefined, fanOutConsumerArn?: string): PolicyStatement[] {
  return [
    {
      sid: 'ReadKinesisStream',
      actions: [
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
      ],
      resources: [streamArn],
    },
    ...(fanOutConsumerArn
      ? [
          {
            sid: 'SubscribeToShards',
            actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
            resources: [fanOutConsumerArn],
          },
        ]
      : []),
    ...kmsStatements('DecryptKinesisRecords', keyArn, ['kms:Decrypt']),
  ];
}
