import { TerraformProvider } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LIMITS } from './internal/limits';
import type { PolicyStatement, TableItemAction } from './props/policy';
import { PropsValidator } from './internal/validation';
import { positiveInteger, validateSchema } from './internal/table-schema';
import type { GlobalSecondaryIndexProps, KeyAttribute, LocalSecondaryIndexProps } from './props/table-schema';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';
import { ImportedStreamTable } from './imported-stream-table';
import { StreamTableBase } from './stream-table-base';

/** On-demand (pay per request) or provisioned capacity. */
export type BillingMode = 'PAY_PER_REQUEST' | 'PROVISIONED';
/** What each stream record carries besides the keys. */
export type StreamViewType = 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'KEYS_ONLY';
/** Which key encrypts the table at rest (DynamoDB always encrypts; this picks the key). */
export type TableEncryption = 'AWS_OWNED' | 'AWS_MANAGED' | 'CUSTOMER_MANAGED';
/** Storage class: standard, or infrequent access (cheaper storage, dearer reads and writes). */
export type TableClass = 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';

const BILLING_MODES: readonly BillingMode[] = ['PAY_PER_REQUEST', 'PROVISIONED'];
const VIEW_TYPES: readonly StreamViewType[] = ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'];
const ENCRYPTIONS: readonly TableEncryption[] = ['AWS_OWNED', 'AWS_MANAGED', 'CUSTOMER_MANAGED'];
const TABLE_CLASSES: readonly TableClass[] = ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'];

/** Props of {@link StreamTable}. */
export interface StreamTableProps {
  /** Physical table name, 3..255 characters of [a-zA-Z0-9_.-]; unique per account and region. */
  readonly tableName: string;
  /** Partition (hash) key. */
  readonly partitionKey: KeyAttribute;
  /** Sort (range) key. @default none (simple primary key) */
  readonly sortKey?: KeyAttribute;
  /** Capacity mode. @default 'PAY_PER_REQUEST' */
  readonly billingMode?: BillingMode;
  /** Read capacity units, >= 1; required with, and only allowed with, PROVISIONED. @default none */
  readonly readCapacity?: number;
  /** Write capacity units, >= 1; required with, and only allowed with, PROVISIONED. @default none */
  readonly writeCapacity?: number;
  /**
   * What stream records carry. Replication and most consumers need both images.
   * @default 'NEW_AND_OLD_IMAGES'
   */
  readonly streamViewType?: StreamViewType;
  /** Global secondary indexes, at most 20. @default none */
  readonly globalSecondaryIndexes?: GlobalSecondaryIndexProps[];
  /** Local secondary indexes, at most 5; the table needs a sortKey. Fixed at creation. @default none */
  readonly localSecondaryIndexes?: LocalSecondaryIndexProps[];
  /** Name of a Number attribute holding an epoch-seconds expiry; enables TTL. @default TTL off */
  readonly timeToLiveAttribute?: string;
  /**
   * Key for encryption at rest. `AWS_MANAGED` uses the account's `aws/dynamodb` key;
   * `CUSTOMER_MANAGED` needs `encryptionKeyArn` and adds kms:Decrypt to every stream reader.
   * @default 'CUSTOMER_MANAGED' when encryptionKeyArn is set, else 'AWS_MANAGED'
   */
  readonly encryption?: TableEncryption;
  /** ARN of the customer-managed KMS key (same region as the table). @default none */
  readonly encryptionKeyArn?: string;
  /** Point-in-time recovery (continuous backups). Switch off only for DynamoDB Local. @default true */
  readonly pointInTimeRecovery?: boolean;
  /** Days of PITR history, 1..35; needs pointInTimeRecovery. @default 35 (the AWS default) */
  readonly pointInTimeRecoveryDays?: number;
  /** AWS refuses DeleteTable while this is on. @default true */
  readonly deletionProtection?: boolean;
  /** Terraform `lifecycle.prevent_destroy`: a plan that would destroy the table fails. @default true */
  readonly preventDestroy?: boolean;
  /** Storage class. @default 'STANDARD' */
  readonly tableClass?: TableClass;
  /** Tags for the table. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region/account) to create the table with, for multi-region stacks. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/**
 * Anything whose DynamoDB stream a consumer can read: a StreamTable, or another construct (for
 * example a replica in another region) that tracks its readers the same way.
 */
export interface IStreamSource extends IConstruct {
  /** ARN of the stream the event source mapping reads. */
  readonly streamArn: string;
  /** What stream records carry; consumers check their filters against it. Unknown when undefined. */
  readonly streamViewType?: StreamViewType;
  /** Provider (region) of the stream; consumers default to it. */
  readonly provider?: TerraformProvider;
  /** Registers a reader; must fail when the stream already has LIMITS.readersPerStream readers. */
  addStreamReader(reader: IConstruct): void;
  /** The statements a reader's role needs (stream actions, ListStreams, kms:Decrypt on a CMK). */
  streamReadStatements(): PolicyStatement[];
}

/**
 * A table with its stream, as consumers and grants use it: a {@link StreamTable} created here, or
 * one made elsewhere and imported with `StreamTable.fromAttributes` or `StreamTable.fromTableName`.
 */
export interface IStreamTable extends IStreamSource, IDataTable {
  /** Table name (a Terraform reference for a table looked up by name at plan time). */
  readonly tableName: string;
  /** ARN of the table (a Terraform reference), what grants on the table's items name. */
  readonly tableArn: string;
  /** The customer-managed key, when the table uses one; stream readers need kms:Decrypt on it. */
  readonly encryptionKeyArn?: string;
}

/** What `StreamTable.fromTableName` needs besides the name: what the lookup cannot tell at synth time. */
export interface StreamTableLookupOptions {
  /**
   * What the stream's records carry; consumers check their filters and the consumer toolkit its
   * image reads against it. @default unknown: filters on images are not checked at synth
   */
  readonly streamViewType?: StreamViewType;
  /** The table's customer-managed KMS key ARN; stream readers get kms:Decrypt on it. @default none (an AWS-owned or AWS-managed key) */
  readonly encryptionKeyArn?: string;
  /** The table's secondary index names, for Query and Scan grants on them. @default none */
  readonly indexNames?: string[];
  /** Provider (region/account) of the table; consumers default to it. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** A table and stream made elsewhere, by their ARNs (`StreamTable.fromAttributes`). */
export interface StreamTableAttributes extends StreamTableLookupOptions {
  /** ARN of the table: `arn:aws:dynamodb:<region>:<account>:table/<name>` (or a Terraform reference). */
  readonly tableArn: string;
  /** ARN of the table's stream: `<tableArn>/stream/<label>` (or a Terraform reference). */
  readonly streamArn: string;
}

/** A table a function can be granted item access to. */
export interface IDataTable {
  /** Names of the table's secondary indexes (global and local). */
  readonly indexNames: string[];
  /** The usual item reads: GetItem, BatchGetItem, Query, Scan, ConditionCheckItem, on the table and each index. */
  readDataStatements(): PolicyStatement[];
  /** The usual item writes: PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem. */
  writeDataStatements(): PolicyStatement[];
  /** Exactly `actions` on the table (Query and Scan also on each of `indexes`), plus what its customer-managed key needs. */
  itemActionStatements(actions: readonly TableItemAction[], indexes?: readonly string[]): PolicyStatement[];
}

/**
 * A DynamoDB table with its stream on, and the bookkeeping of who reads that stream: AWS throttles
 * a third simultaneous reader of a stream shard, so the table refuses a third event source mapping
 * at synth time instead of letting every consumer lag in production.
 *
 * @example
 * const orders = new StreamTable(stack, 'Orders', {
 *   tableName: 'orders',
 *   partitionKey: { name: 'orderId', type: 'S' },
 *   timeToLiveAttribute: 'expiresAt',
 * });
 */
export class StreamTable extends StreamTableBase {
  /**
   * A table and stream made elsewhere, by their ARNs: a consumer reads the stream, and grants name
   * exactly these ARNs. Literal ARNs are checked (a table ARN, and a stream ARN of that table);
   * Terraform references pass. Readers of the stream are counted in this stack only.
   *
   * @example
   * const orders = StreamTable.fromAttributes(stack, 'Orders', {
   *   tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
   *   streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
   *   streamViewType: 'NEW_AND_OLD_IMAGES',
   * });
   * new StreamConsumer(stack, 'Audit', { source: orders, code: { entry: 'src/audit.ts' } });
   */
  static fromAttributes(scope: Construct, id: string, attrs: StreamTableAttributes): IStreamTable {
    return new ImportedStreamTable(scope, id, attrs);
  }

  /**
   * A table made elsewhere, by name: an `aws_dynamodb_table` data source reads its ARN and latest
   * stream ARN at plan time (the table must exist and have its stream on before the plan).
   *
   * @example
   * const orders = StreamTable.fromTableName(stack, 'Orders', 'orders', { streamViewType: 'NEW_AND_OLD_IMAGES' });
   * new StreamPipeline(stack, 'Audit', { source: orders, consumer: { code: { entry: 'src/audit.ts' } } });
   */
  static fromTableName(scope: Construct, id: string, tableName: string, options: StreamTableLookupOptions = {}): IStreamTable {
    return new ImportedStreamTable(scope, id, options, tableName);
  }

  /** The underlying resource, for escape hatches. */
  readonly table: DynamodbTable;
  /** Table name (a reference, so dependents wait for the table). */
  readonly tableName: string;
  /** ARN of the table. */
  readonly tableArn: string;
  /** ARN of the table's latest stream. */
  readonly streamArn: string;
  /** The partition key. */
  readonly partitionKey: KeyAttribute;
  /** The sort key, if any. */
  readonly sortKey?: KeyAttribute;
  /** The customer-managed key, when the table uses one; stream readers need kms:Decrypt on it. */
  readonly encryptionKeyArn?: string;
  /** What the stream's records carry. */
  readonly streamViewType: StreamViewType;
  /** Provider (region) of the table; consumers default to it. */
  readonly provider?: TerraformProvider;
  /** Names of all secondary indexes (global and local). */
  readonly indexNames: string[];
  /** The TTL attribute, when TTL is on (replication writes tombstone expiries into it). */
  readonly timeToLiveAttribute?: string;
  /** {@inheritDoc StreamTableBase.streamDescription} */
  protected readonly streamDescription: string;

  constructor(scope: Construct, id: string, props: StreamTableProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.StreamTableProps, props);
    const v = new PropsValidator(this);
    v.matches('tableName', props.tableName, LIMITS.tableName.pattern, LIMITS.tableName.described);
    const billingMode = props.billingMode ?? 'PAY_PER_REQUEST';
    v.oneOf('billingMode', billingMode, BILLING_MODES);
    const provisioned = billingMode === 'PROVISIONED';
    for (const cap of ['readCapacity', 'writeCapacity'] as const) {
      if (provisioned && props[cap] === undefined)
        v.fail(cap, undefined, 'an integer >= 1', 'billingMode PROVISIONED needs both capacities');
      else if (provisioned) positiveInteger(v, cap, props[cap]);
      else if (props[cap] !== undefined) v.fail(cap, props[cap], 'unset', 'billingMode PAY_PER_REQUEST has no provisioned capacity');
    }
    const streamViewType = props.streamViewType ?? 'NEW_AND_OLD_IMAGES';
    v.oneOf('streamViewType', streamViewType, VIEW_TYPES);
    const attributes = validateSchema(v, { ...props, provisioned });
    if (props.timeToLiveAttribute !== undefined) {
      v.matches('timeToLiveAttribute', props.timeToLiveAttribute, /^[\s\S]{1,255}$/, '1..255 characters');
    }
    const encryption = props.encryption ?? (props.encryptionKeyArn ? 'CUSTOMER_MANAGED' : 'AWS_MANAGED');
    v.oneOf('encryption', encryption, ENCRYPTIONS);
    if (encryption === 'CUSTOMER_MANAGED' && !props.encryptionKeyArn) {
      v.fail('encryptionKeyArn', props.encryptionKeyArn, 'a KMS key ARN', 'encryption CUSTOMER_MANAGED needs the key');
    }
    v.matches('encryptionKeyArn', props.encryptionKeyArn, LIMITS.kmsKeyArn.pattern, LIMITS.kmsKeyArn.described, LIMITS.kmsKeyArn.why);
    if (encryption !== 'CUSTOMER_MANAGED' && props.encryptionKeyArn) {
      v.fail('encryptionKeyArn', props.encryptionKeyArn, 'unset', `encryption ${encryption} does not use a customer-managed key`);
    }
    const pitr = props.pointInTimeRecovery ?? true;
    v.integer('pointInTimeRecoveryDays', props.pointInTimeRecoveryDays, LIMITS.pitrDays[0], LIMITS.pitrDays[1]);
    if (!pitr && props.pointInTimeRecoveryDays !== undefined) {
      v.fail('pointInTimeRecoveryDays', props.pointInTimeRecoveryDays, 'unset', 'pointInTimeRecovery is off');
    }
    v.oneOf('tableClass', props.tableClass, TABLE_CLASSES);
    v.throwIfInvalid();

    const preventDestroy = props.preventDestroy ?? true;
    this.table = new DynamodbTable(this, 'Table', {
      provider: props.provider,
      name: props.tableName,
      billingMode,
      readCapacity: props.readCapacity,
      writeCapacity: props.writeCapacity,
      hashKey: props.partitionKey.name,
      rangeKey: props.sortKey?.name,
      attribute: attributes,
      streamEnabled: true,
      streamViewType,
      globalSecondaryIndex: props.globalSecondaryIndexes?.map((g) => ({
        name: g.name,
        hashKey: g.partitionKey.name,
        rangeKey: g.sortKey?.name,
        projectionType: g.projectionType ?? 'ALL',
        nonKeyAttributes: g.nonKeyAttributes,
        readCapacity: g.readCapacity,
        writeCapacity: g.writeCapacity,
      })),
      localSecondaryIndex: props.localSecondaryIndexes?.map((l) => ({
        name: l.name,
        rangeKey: l.sortKey.name,
        projectionType: l.projectionType ?? 'ALL',
        nonKeyAttributes: l.nonKeyAttributes,
      })),
      ttl: props.timeToLiveAttribute ? { enabled: true, attributeName: props.timeToLiveAttribute } : undefined,
      serverSideEncryption: encryption === 'AWS_OWNED' ? { enabled: false } : { enabled: true, kmsKeyArn: props.encryptionKeyArn },
      pointInTimeRecovery: { enabled: pitr, recoveryPeriodInDays: pitr ? props.pointInTimeRecoveryDays : undefined },
      deletionProtectionEnabled: props.deletionProtection ?? true,
      tableClass: props.tableClass,
      tags: props.tags,
      lifecycle: preventDestroy ? { preventDestroy: true } : undefined,
    });

    this.streamDescription = `table "${props.tableName}"`;
    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.streamArn = this.table.streamArn;
    this.partitionKey = props.partitionKey;
    this.sortKey = props.sortKey;
    this.encryptionKeyArn = encryption === 'CUSTOMER_MANAGED' ? props.encryptionKeyArn : undefined;
    this.streamViewType = streamViewType;
    this.provider = props.provider;
    this.timeToLiveAttribute = props.timeToLiveAttribute;
    this.indexNames = [...(props.globalSecondaryIndexes ?? []), ...(props.localSecondaryIndexes ?? [])].map((i) => i.name);
  }
}
