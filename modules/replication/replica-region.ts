import type { TerraformProvider } from 'cdktf';
import type { TableKinesisStream } from '../kinesis-stream';
import type { IDataTable, IStreamSource, StreamTable } from '../stream-table';
import type { IReplicaWriter } from './props';

/** One region of a replicated table: the same attributes in every mode. */
export interface ReplicaRegion {
  /** AWS region code, as given in the region's props (`eu-west-1`). */
  readonly region: string;
  /** The aws provider of the region's account and region; give it to constructs you add next to this table. */
  readonly provider: TerraformProvider;
  /** Physical table name (the same in every region). */
  readonly tableName: string;
  /** ARN of the region's table (a Terraform reference; in global-table mode the replica's ARN). */
  readonly tableArn: string;
  /** ARN of the region's DynamoDB stream (a Terraform reference), what the region's writers and your consumers read. */
  readonly streamArn: string;
  /** The region's customer-managed KMS key, when its table uses one (readers and writers get kms:Decrypt on it). @default none */
  readonly encryptionKeyArn?: string;
  /** The region's stream and items, for your own consumers and grants (its reader count includes the writers). */
  readonly stream: IStreamSource & IDataTable;
  /** The table construct, when this region's table is its own resource (not in global-table mode's replicas). */
  readonly table?: StreamTable;
  /** The Kinesis stream the region's table streams into, where its writer reads (changeSource 'kinesis'). */
  readonly kinesis?: TableKinesisStream;
  /** The writers that read this region's stream. */
  readonly writers: IReplicaWriter[];
  /** Writes made in this region are not replicated. */
  readonly readReplica: boolean;
}
