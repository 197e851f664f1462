/**
 * The per-target backlog (docs/replication-protocol.md, "Targets that fail"): for each target and
 * key, the newest copy that target still needs, as the full item image it must receive (after its
 * omissions and masks) with its version, why it could not be written, and since when the key has
 * been waiting. It lives in the source region, so an outage of the target of any length loses
 * nothing, and it is keyed by (target, key) with last-write-wins on the version, so it holds at
 * most one entry per key and target however long the outage.
 *
 * Table: partition key `t` (S) = "<region>/<table>" of the target, sort key `k` (S) = hash of the item key.
 */
import { DeleteItemCommand, DynamoDBClient, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../lww';
import { BACKLOG_TABLE } from '../contract';
import type { ReplicaTarget } from './config';
import { stateKey } from './key-state';

export const BACKLOG_ATTRIBUTES = {
  target: BACKLOG_TABLE.partitionKey,
  key: BACKLOG_TABLE.sortKey,
  version: 'v',
  image: 'img',
  /** The item's key in the source table: the drainer reads the source's current item by it. */
  itemKey: 'ik',
  /** 'transient' or the blocked reason kind (../common/sdk-errors.ts BlockedReason). */
  kind: 'kind',
  reason: 'why',
  /** Epoch ms of the first failure this key has been waiting since (kept across newer versions). */
  since: 'since',
  /** Epoch ms of the latest failure recorded. */
  last: 'last',
} as const;

export interface BacklogEntry {
  readonly target: string;
  /** Hash of the item key (the sort key). */
  readonly key: string;
  readonly version: string;
  readonly item: Item;
  /** The item's key in the source table; absent on entries kept by a writer older than the field. */
  readonly itemKey?: Item;
  readonly kind: string;
  readonly reason: string;
  readonly since: number;
}

export interface BacklogPage {
  readonly entries: BacklogEntry[];
  readonly next?: Record<string, unknown>;
}

export interface Backlog {
  /** Keeps `item` at `version` for `target` unless a version at least as new is kept already. */
  keep(
    target: string,
    keyId: string,
    itemKey: Item,
    version: string,
    item: Item,
    kind: string,
    reason: string,
    nowMs: number,
  ): Promise<'kept' | 'newer-kept'>;
  page(target: string, limit: number, from?: Record<string, unknown>): Promise<BacklogPage>;
  /** Deletes the entry if it still holds `version`; false when a newer one replaced it. */
  remove(target: string, key: string, version: string): Promise<boolean>;
  /** Records a new failure on an entry still holding `version` (the drainer's view of the target). */
  touch(entry: BacklogEntry, kind: string, reason: string, nowMs: number): Promise<void>;
}

export function targetId(target: Pick<ReplicaTarget, 'region' | 'table'>): string {
  return `${target.region}/${target.table}`;
}

export function dynamoBacklog(client: DynamoDBClient, table: string): Backlog {
  const A = BACKLOG_ATTRIBUTES;
  const names = { '#v': A.version };
  return {
    async keep(target, keyId, itemKey, version, item, kind, reason, nowMs) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { [A.target]: { S: target }, [A.key]: { S: stateKey(keyId) } },
            UpdateExpression:
              'SET #v = :v, #img = :img, #ik = :ik, #kind = :kind, #why = :why, #last = :now, #since = if_not_exists(#since, :now)',
            // Last writer wins, as on the target: an older copy is superseded by the newer one anyway.
            ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
            ExpressionAttributeNames: {
              ...names,
              '#img': A.image,
              '#ik': A.itemKey,
              '#kind': A.kind,
              '#why': A.reason,
              '#last': A.last,
              '#since': A.since,
            },
            ExpressionAttributeValues: {
              ':v': { S: version },
              ':img': { M: item },
              ':ik': { M: itemKey },
              ':kind': { S: kind },
              ':why': { S: reason.slice(0, 1000) },
              ':now': { N: String(nowMs) },
            },
          }),
        );
        return 'kept';
      } catch (e) {
        if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return 'newer-kept';
        throw e;
      }
    },
    async page(target, limit, from) {
      const out = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': A.target },
          ExpressionAttributeValues: { ':t': { S: target } },
          Limit: limit,
          ConsistentRead: true,
          ExclusiveStartKey: from as never,
        }),
      );
      const entries = (out.Items ?? []).map((i) => ({
        target,
        key: i[A.key].S!,
        version: i[A.version].S!,
        item: i[A.image].M as Item,
        ...(i[A.itemKey]?.M ? { itemKey: i[A.itemKey].M as Item } : {}),
        kind: i[A.kind]?.S ?? 'transient',
        reason: i[A.reason]?.S ?? '',
        since: Number(i[A.since]?.N ?? 0),
      }));
      return { entries, ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}) };
    },
    async remove(target, key, version) {
      try {
        await client.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { [A.target]: { S: target }, [A.key]: { S: key } },
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':v': { S: version } },
          }),
        );
        return true;
      } catch (e) {
        if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    },
    async touch(entry, kind, reason, nowMs) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { [A.target]: { S: entry.target }, [A.key]: { S: entry.key } },
            UpdateExpression: 'SET #kind = :kind, #why = :why, #last = :now',
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { ...names, '#kind': A.kind, '#why': A.reason, '#last': A.last },
            ExpressionAttributeValues: {
              ':v': { S: entry.version },
              ':kind': { S: kind },
              ':why': { S: reason.slice(0, 1000) },
              ':now': { N: String(nowMs) },
            },
          }),
        );
      } catch (e) {
        if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
      }
    },
  };
}
