import type { TerraformProvider } from 'cdktf';
import type { TableKinesisStream } from '../kinesis-stream';
import type { IDataTable, IStreamSource, StreamTable } from '../stream-table';
import type { IReplicaWriter } from './props';

/** One region of a replicated table: the same attributes in every mode. */
export interface ReplicaRegion {
  readonly region: string;
  readonly provider: TerraformProvider;
  /** Physical table name (the same in every region). */
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
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
