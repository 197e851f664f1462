import { IConstruct } from 'constructs';
import type { PolicyStatement, TableItemAction } from '../props/policy';
import { kmsStatements, streamReadStatements } from './iam';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';

/**
 * Who reads one DynamoDB stream. AWS throttles a third simultaneous reader of a stream shard, so
 * every table-like construct (StreamTable, a replica's stream) refuses a third event source
 * mapping at synth time instead of letting every consumer lag in production.
 */
export class StreamReaders {
  private readonly readers: IConstruct[] = [];

  /** `stream` names the stream in the error, e.g. `table "orders"`. */
  constructor(
    private readonly owner: IConstruct,
    private readonly stream: string,
  ) {}

  get list(): readonly IConstruct[] {
    return [...this.readers];
  }

  /** Registers a reader; registering the same construct twice is a no-op. */
  add(reader: IConstruct): void {
    if (this.readers.includes(reader)) return;
    if (this.readers.length >= LIMITS.readersPerStream) {
      const names = this.readers.map((r) => r.node.path).join(', ');
      new PropsValidator(this.owner)
        .require(
          false,
          `the stream of ${this.stream} already has ${this.readers.length} readers (${names}); ${reader.node.path} would be a third. ` +
            `AWS throttles more than ${LIMITS.readersPerStream} simultaneous readers of a ` +
            `DynamoDB stream shard (LimitExceededException), which delays every consumer. ` +
            'Use one fan-out consumer that hands each batch to several handlers, or stream the table ' +
            'to Kinesis Data Streams for DynamoDB (TableKinesisStream), which supports many consumers.',
        )
        .throwIfInvalid();
    }
    this.readers.push(reader);
  }
}

/** The exact ARNs a table's grants name: the table, its indexes, its stream and its customer key. */
export interface TableArns {
  readonly tableArn: string;
  readonly streamArn: string;
  readonly indexNames: string[];
  readonly encryptionKeyArn?: string;
}

/** What a function needs to read the stream: stream actions, ListStreams, and kms:Decrypt on a CMK. */
export function streamReadAccess(t: TableArns): PolicyStatement[] {
  return [...streamReadStatements(t.streamArn), ...kmsStatements('DecryptStream', t.encryptionKeyArn, ['kms:Decrypt'])];
}

/** Item reads (GetItem, BatchGetItem, Query, Scan, ConditionCheckItem) on the table and each index by exact ARN. */
export function readDataAccess(t: TableArns): PolicyStatement[] {
  return [
    {
      sid: 'ReadData',
      actions: ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
      resources: [t.tableArn, ...t.indexNames.map((n) => `${t.tableArn}/index/${n}`)],
    },
    ...kmsStatements('DecryptData', t.encryptionKeyArn, ['kms:Decrypt']),
  ];
}

/** The item actions that read an index too (the others only ever touch the table). */
export const INDEX_ACTIONS: readonly TableItemAction[] = ['dynamodb:Query', 'dynamodb:Scan'];
const WRITE_ACTIONS: readonly TableItemAction[] = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];

/**
 * Exactly `actions` on the table, and Query/Scan (when asked for) on each of `indexes` by exact
 * ARN; a customer-managed key adds kms:Decrypt, and for writes kms:Encrypt and kms:GenerateDataKey
 * (the key actions readDataAccess and writeDataAccess grant).
 */
export function itemActionAccess(t: TableArns, actions: readonly TableItemAction[], indexes: readonly string[] = []): PolicyStatement[] {
  const sorted = [...new Set(actions)].sort();
  const onIndexes = sorted.filter((a) => INDEX_ACTIONS.includes(a));
  const writes = sorted.some((a) => WRITE_ACTIONS.includes(a));
  return [
    { sid: 'ItemActions', actions: sorted, resources: [t.tableArn] },
    ...(onIndexes.length && indexes.length
      ? [{ sid: 'IndexActions', actions: onIndexes, resources: indexes.map((n) => `${t.tableArn}/index/${n}`) }]
      : []),
    ...kmsStatements(
      writes ? 'EncryptData' : 'DecryptData',
      t.encryptionKeyArn,
      writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    ),
  ];
}

/** Item writes (PutItem, UpdateItem, DeleteItem, BatchWriteItem, ConditionCheckItem) on the table, plus the CMK. */
export function writeDataAccess(t: TableArns): PolicyStatement[] {
  return [
    {
      sid: 'WriteData',
      actions: ['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [t.tableArn],
    },
    ...kmsStatements('EncryptData', t.encryptionKeyArn, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
  ];
}
