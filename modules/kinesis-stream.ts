import { TerraformProvider } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { DynamodbKinesisStreamingDestination } from '@cdktf/provider-aws/lib/dynamodb-kinesis-streaming-destination';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import type { PolicyStatement } from './props/policy';
import type { KinesisStreamOptions } from './props/kinesis';
import { KinesisReaders, kinesisReadAccess } from './internal/kinesis-readers';
import { physicalName } from './internal/naming';
import { validateKinesisStream } from './internal/kinesis-validation';
import { PropsValidator } from './internal/validation';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/** How a consumer reads a Kinesis stream: polling with the throughput all pollers share, or an enhanced fan-out consumer of its own. */
export type KinesisThroughput = 'shared' | 'fan-out';

/** Precision of `ApproximateCreationDateTime` in the records DynamoDB writes to Kinesis. */
export type CreationTimePrecision = 'MILLISECOND' | 'MICROSECOND';

/** The AWS-managed key Kinesis encrypts with when no customer-managed key is given (readers need no KMS grant for it). */
export const KINESIS_AWS_MANAGED_KEY = 'alias/aws/kinesis';

/**
 * A Kinesis data stream that carries a table's changes (Kinesis Data Streams for DynamoDB), as a
 * consumer reads it. Implemented by {@link TableKinesisStream}; `StreamConsumer`, `StreamPipeline`
 * and `FailureRedrive` accept it wherever they accept a DynamoDB stream source.
 */
export interface IKinesisSource extends IConstruct {
  /** Tells this source apart from a DynamoDB stream source. */
  readonly sourceKind: 'kinesis';
  /** ARN of the Kinesis data stream. */
  readonly streamArn: string;
  /** Name of the Kinesis data stream (its CloudWatch metrics' StreamName dimension). */
  readonly streamName: string;
  /** The customer-managed key of the stream, when it has one: readers get kms:Decrypt on it. */
  readonly encryptionKeyArn?: string;
  /** Hours the stream keeps a record, when known: consumers refuse a longer maximum record age. */
  readonly retentionHours?: number;
  /** Provider (region) of the stream; consumers default to it. */
  readonly provider?: TerraformProvider;
  /**
   * Registers a reader. A fan-out reader past the per-stream consumer limit fails; shared readers
   * past the per-shard read limits get a synth warning.
   */
  addKinesisReader(reader: IConstruct, throughput: KinesisThroughput): void;
  /** What a reader's role needs: stream reads, plus SubscribeToShard on its fan-out consumer. */
  kinesisReadStatements(fanOutConsumerArn?: string): PolicyStatement[];
}

/** A Kinesis data stream created elsewhere, for {@link TableKinesisStreamProps.existingStream}. */
export interface ExistingKinesisStream {
  /** ARN of the stream; it must be in the table's account and region (a DynamoDB requirement). */
  readonly streamArn: string;
  /** Name of the stream. */
  readonly streamName: string;
  /** ARN of its customer-managed KMS key, if it has one: readers get kms:Decrypt on it. @default none (unencrypted or AWS-managed key) */
  readonly encryptionKeyArn?: string;
}

/** Props of a {@link TableKinesisStream}. */
export interface TableKinesisStreamProps {
  /** The table whose item changes DynamoDB writes to the stream (a StreamTable fits). */
  readonly table: { readonly tableName: string };
  /**
   * Settings of the stream created here: on-demand capacity, KMS encryption with the AWS-managed
   * key, 24 hours of retention, `prevent_destroy`. Not allowed with `existingStream`.
   * @default a stream with those defaults, named after the construct path
   */
  readonly stream?: KinesisStreamOptions;
  /** Write into a stream created elsewhere instead of creating one. @default none: a stream is created */
  readonly existingStream?: ExistingKinesisStream;
  /**
   * Precision of `ApproximateCreationDateTime` in each record: epoch milliseconds or microseconds.
   * @default 'MILLISECOND'
   */
  readonly creationTimePrecision?: CreationTimePrecision;
  /** Provider (region) of the stream and the streaming destination; must be the table's. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * Kinesis Data Streams for DynamoDB: a table streams every item change into a Kinesis data stream
 * (`aws_dynamodb_kinesis_streaming_destination`), which many consumers can read, with retention
 * up to a year and replay from a point in time. The stream is created here (on-demand by
 * default, KMS-encrypted) or passed in. Consumers get records whose data is the DynamoDB change
 * as JSON; AWS documents that they may arrive out of order and more than once.
 *
 * @example
 * const changes = new TableKinesisStream(stack, 'OrderChanges', { table: orders, stream: { retentionHours: 168 } });
 * new StreamConsumer(stack, 'Analytics', { source: changes, code: { entry: 'src/analytics.ts' }, fanOut: true });
 */
export class TableKinesisStream extends Construct implements IKinesisSource {
  /** Tells a Kinesis source from a DynamoDB stream source. */
  readonly sourceKind = 'kinesis' as const;
  /** The stream created here; undefined with `existingStream`. */
  readonly stream?: KinesisStream;
  /** The table's Kinesis streaming destination. */
  readonly destination: DynamodbKinesisStreamingDestination;
  /** ARN of the stream (created here or passed in). */
  readonly streamArn: string;
  /** Name of the stream (the StreamName dimension of its metrics). */
  readonly streamName: string;
  /** Name of the table whose changes the stream carries (the pipeline's liveness alarms watch its writes). */
  readonly tableName: string;
  /** The stream's customer-managed KMS key, when it has one; readers get kms:Decrypt on it. */
  readonly encryptionKeyArn?: string;
  /** Hours the stream keeps a record; unknown for an existing stream. */
  readonly retentionHours?: number;
  /** Precision of the approximate creation times in the records. */
  readonly creationTimePrecision: CreationTimePrecision;
  /** Provider (region) of the stream; consumers default to it. */
  readonly provider?: TerraformProvider;
  private readonly readers: KinesisReaders;

  constructor(scope: Construct, id: string, props: TableKinesisStreamProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.TableKinesisStreamProps, props);
    const v = new PropsValidator(this);
    const name = props.stream?.streamName ?? physicalName(this, 128);
    validateKinesisStream(v, props.stream ?? {}, name, props.existingStream !== undefined);
    this.creationTimePrecision = props.creationTimePrecision ?? 'MILLISECOND';
    v.oneOf('creationTimePrecision', this.creationTimePrecision, ['MILLISECOND', 'MICROSECOND'] as const);
    v.throwIfInvalid();
    this.provider = props.provider;
    this.tableName = props.table.tableName;

    if (props.existingStream) {
      this.streamArn = props.existingStream.streamArn;
      this.streamName = props.existingStream.streamName;
      this.encryptionKeyArn = props.existingStream.encryptionKeyArn;
    } else {
      const o = props.stream ?? {};
      const provisioned = o.capacityMode === 'PROVISIONED';
      this.stream = new KinesisStream(this, 'Stream', {
        provider: props.provider,
        name,
        streamModeDetails: { streamMode: provisioned ? 'PROVISIONED' : 'ON_DEMAND' },
        // The provider refuses shard_count with ON_DEMAND: the service scales the shards.
        shardCount: provisioned ? o.shardCount : undefined,
        retentionPeriod: o.retentionHours ?? 24,
        encryptionType: 'KMS',
        kmsKeyId: o.kmsKeyArn ?? KINESIS_AWS_MANAGED_KEY,
        tags: o.tags,
        lifecycle: (o.preventDestroy ?? true) ? { preventDestroy: true } : undefined,
      });
      this.streamArn = this.stream.arn;
      this.streamName = this.stream.name;
      this.encryptionKeyArn = o.kmsKeyArn;
      this.retentionHours = o.retentionHours ?? 24;
    }
    this.destination = new DynamodbKinesisStreamingDestination(this, 'Destination', {
      provider: props.provider,
      tableName: props.table.tableName,
      streamArn: this.streamArn,
      approximateCreationDateTimePrecision: this.creationTimePrecision,
    });
    this.readers = new KinesisReaders(this, `Kinesis stream "${name}"`);
  }

  /** The readers registered so far, with how they read. */
  get kinesisReaders(): readonly { reader: IConstruct; throughput: KinesisThroughput }[] {
    return this.readers.list;
  }

  /** Registers a reader with its throughput mode; warns past 2 shared readers, fails past 20 fan-out readers. */
  addKinesisReader(reader: IConstruct, throughput: KinesisThroughput): void {
    this.readers.add(reader, throughput);
  }

  /** What a reader's role needs: stream reads (or the fan-out consumer's subscribe) and the key. */
  kinesisReadStatements(fanOutConsumerArn?: string): PolicyStatement[] {
    return kinesisReadAccess(this.streamArn, this.encryptionKeyArn, fanOutConsumerArn);
  }
}
