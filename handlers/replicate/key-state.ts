/**
 * The writer's per-key state table (docs/replication-protocol.md, "Floors across batches"): for a
 * key whose item was left without the newest version its region had seen (a write raced the
 * writer's own write, or the writer's write could not land), the floor to start the next batch
 * from, and the stream position it holds up to. Written rarely: only when the item itself does not
 * carry the floor to the next record.
 */
import { BatchGetItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'crypto';
import { isVersion } from '../lww';
import { STATE_TABLE } from '../contract';
import type { KeyState } from './key-plan';

/** Attribute names of a state item; the table's partition key is `k` (string). */
export const STATE_ATTRIBUTES = {
  key: STATE_TABLE.partitionKey,
  position: 'seq',
  floor: 'floor',
  image: 'img',
  waitingSince: 'wait',
  localPosition: 'loc',
  localVersion: 'locv',
  expiresAt: STATE_TABLE.expiresAt,
} as const;

/** Long enough for any DynamoDB or Kinesis sequence number, so that string order is numeric order. */
const SEQUENCE_WIDTH = 64;

/**
 * Two days: past the 24 h stream retention in which the records that need the floor are read (a
 * Kinesis stream may keep records longer; a key's changes older than this are taken as settled).
 */
export const STATE_TTL_SECONDS = 2 * 24 * 3600;

export interface KeyStateStore {
  load(keyIds: readonly string[]): Promise<Map<string, KeyState>>;
  save(keyId: string, state: KeyState, nowMs: number): Promise<void>;
}

/** The state item key of an item key (hashed: a table key may be up to 3 KB, a state key 2 KB). */
export function stateKey(keyId: string): string {
  return createHash('sha256').update(keyId).digest('hex');
}

export function dynamoKeyStateStore(client: DynamoDBClient, table: string): KeyStateStore {
  const A = STATE_ATTRIBUTES;
  return {
    async load(keyIds) {
      const byHash = new Map(keyIds.map((id) => [stateKey(id), id]));
      const out = new Map<string, KeyState>();
      const hashes = [...byHash.keys()];
      for (let i = 0; i < hashes.length; i += 100) {
        let request: Record<string, { Keys: { k: { S: string } }[]; ConsistentRead: boolean }> | undefined = {
          [table]: { Keys: hashes.slice(i, i + 100).map((h) => ({ [A.key]: { S: h } }) as { k: { S: string } }), ConsistentRead: true },
        };
        for (let round = 0; request && Object.keys(request).length; round++) {
          if (round === 8) throw new Error(`reading replication state from ${table}: keys stayed unprocessed after 8 rounds (throttled)`);
          const res = await client.send(new BatchGetItemCommand({ RequestItems: request }));
          for (const item of res.Responses?.[table] ?? []) {
            const id = byHash.get(item[A.key]?.S ?? '');
            const seq = item[A.position]?.S;
            const floor = item[A.floor]?.S;
            if (id === undefined || !seq) continue;
            const image = item[A.image]?.S;
            const waitingSince = item[A.waitingSince]?.N;
            const localPosition = item[A.localPosition]?.S;
            const localVersion = item[A.localVersion]?.S;
            out.set(id, {
              position: seq.replace(/^0+(?=\d)/, ''),
              ...(isVersion(floor) ? { floor } : {}),
              ...(image ? { image } : {}),
              ...(waitingSince ? { waitingSince: Number(waitingSince) } : {}),
              ...(localPosition ? { localPosition } : {}),
              ...(isVersion(localVersion) ? { localVersion } : {}),
            });
          }
          request = res.UnprocessedKeys as typeof request;
          if (request && Object.keys(request).length) await new Promise((r) => setTimeout(r, 20 * 2 ** round));
        }
      }
      return out;
    },
    async save(keyId, state, nowMs) {
      const seq = state.position.padStart(SEQUENCE_WIDTH, '0');
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              [A.key]: { S: stateKey(keyId) },
              [A.position]: { S: seq },
              ...(state.floor ? { [A.floor]: { S: state.floor } } : {}),
              ...(state.image ? { [A.image]: { S: state.image } } : {}),
              ...(state.waitingSince !== undefined ? { [A.waitingSince]: { N: String(state.waitingSince) } } : {}),
              ...(state.localPosition ? { [A.localPosition]: { S: state.localPosition } } : {}),
              ...(state.localVersion ? { [A.localVersion]: { S: state.localVersion } } : {}),
              [A.expiresAt]: { N: String(Math.floor(nowMs / 1000) + STATE_TTL_SECONDS) },
            },
            // Never move back: a slower invocation must not undo what a later batch saved.
            ConditionExpression: 'attribute_not_exists(#seq) OR #seq <= :seq',
            ExpressionAttributeNames: { '#seq': A.position },
            ExpressionAttributeValues: { ':seq': { S: seq } },
          }),
        );
      } catch (e) {
        if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
      }
    },
  };
}
