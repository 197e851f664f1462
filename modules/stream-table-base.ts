import type { TerraformProvider } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { itemActionAccess, readDataAccess, StreamReaders, streamReadAccess, writeDataAccess } from './internal/table-access';
import type { PolicyStatement, TableItemAction } from './props/policy';
import type { IStreamTable, StreamViewType } from './stream-table';

/**
 * What every table with a stream shares, whether it is created here ({@link StreamTable}), imported
 * (`StreamTable.fromAttributes`, `StreamTable.fromTableName`) or a global table's replica: the
 * count of the stream's readers in this stack, and the grants, all derived from the ARNs the
 * subclass names. Extend it for a table-like construct of your own (aws-cdk's TableBase pattern);
 * consumers and grants take any {@link IStreamTable}.
 */
export abstract class StreamTableBase extends Construct implements IStreamTable {
  /** Table name (a Terraform reference where the name is only known at apply or plan time). */
  abstract readonly tableName: string;
  /** ARN of the table, what grants on items name. */
  abstract readonly tableArn: string;
  /** ARN of the stream the event source mapping reads. */
  abstract readonly streamArn: string;
  /** What the stream's records carry; undefined when not known at synth time (filters on images are then not checked). */
  abstract readonly streamViewType?: StreamViewType;
  /** The customer-managed KMS key, when the table uses one; readers and grants get kms:Decrypt on it. */
  abstract readonly encryptionKeyArn?: string;
  /** Provider (region and account) of the table; consumers default to it. */
  abstract readonly provider?: TerraformProvider;
  /** Names of the table's secondary indexes (global and local); reads are granted on each by exact ARN. */
  abstract readonly indexNames: string[];
  /**
   * How errors name this stream, e.g. `table "orders"`. Read when a reader is registered, so a
   * subclass may set it anywhere in its constructor.
   */
  protected abstract readonly streamDescription: string;
  private readers?: StreamReaders;

  /** The constructs (event source mappings) registered as readers of this table's stream in this stack. */
  get streamReaders(): readonly IConstruct[] {
    return this.readers?.list ?? [];
  }

  /**
   * Registers a reader of the stream (every event source mapping on it must be registered).
   * Fails when the stream already has LIMITS.readersPerStream readers. Registering the same
   * construct twice is a no-op.
   */
  addStreamReader(reader: IConstruct): void {
    this.readers ??= new StreamReaders(this, this.streamDescription);
    this.readers.add(reader);
  }

  /** What a function needs to read this table's stream: stream actions, ListStreams, and kms:Decrypt on a CMK. */
  streamReadStatements(): PolicyStatement[] {
    return streamReadAccess(this);
  }

  /** Item reads (GetItem, BatchGetItem, Query, Scan, ConditionCheckItem) on the table and each of its indexes by exact ARN. */
  readDataStatements(): PolicyStatement[] {
    return readDataAccess(this);
  }

  /** Item writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem) on the table, plus the CMK. */
  writeDataStatements(): PolicyStatement[] {
    return writeDataAccess(this);
  }

  /** Exactly `actions` on the table (Query and Scan also on each of `indexes`), plus the CMK. */
  itemActionStatements(actions: readonly TableItemAction[], indexes: readonly string[] = []): PolicyStatement[] {
    return itemActionAccess(this, actions, indexes);
  }
}
