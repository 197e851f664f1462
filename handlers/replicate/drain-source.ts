/**
 * What a backlog entry is worth once it is late (docs/replication-protocol.md, "Entries the source
 * has moved past"): the drainer reads the source's own current item for the entry's key before it
 * applies the entry to a target.
 *
 * - The source holds a newer version: its writer (for a write made there) or the writer of the
 *   region it came from (for a copy) offers that version to the target, directly or through its own
 *   backlog, so the entry can only lose to it there. It is dropped.
 * - The source holds nothing while the entry is a live copy: the item was deleted there after the
 *   copy was kept, by a delete at a higher version (a hard delete, whose tombstone this region's
 *   writer mints above the entry's version and keeps in place of the entry, or a tombstone, here or
 *   copied in, that the TTL process has since removed). Applied now, the copy could land after that
 *   delete's own tombstone had expired in the target and bring the item back there alone. Dropped.
 * - Otherwise the entry is applied; a tombstone with a fresh expiry (below).
 *
 * A tombstone applied late may be what keeps an older copy, still on its way from another region,
 * from landing; it is therefore given at least half a tombstone lifetime from the time it lands
 * (withFreshExpiry).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { compareVersions, isTombstone, Item, LwwAttributeNames, tombstoneExpiry } from '../lww';
import type { BacklogEntry } from './backlog';

export interface DrainSource {
  readonly client: DynamoDBClient;
  /** The replicated table in the drainer's own region (the writer's source). */
  readonly table: string;
}

export type EntryVerdict = { readonly kind: 'apply'; readonly item: Item } | { readonly kind: 'overtaken'; readonly by: string };

export async function judgeAgainstSource(
  source: DrainSource,
  entry: BacklogEntry,
  names: LwwAttributeNames,
  tombstoneTtlSeconds: number,
  nowMs: number,
  abortSignal?: AbortSignal,
): Promise<EntryVerdict> {
  const tombstone = isTombstone(entry.item, names);
  // An entry kept by a writer from before entries carried their key: applied as it was then.
  if (entry.itemKey) {
    const current = await sourceVersion(source, entry.itemKey, names, abortSignal);
    if (current.held && current.version !== undefined && compareVersions(current.version, entry.version) > 0)
      return { kind: 'overtaken', by: `the source holds the newer version ${current.version}` };
    if (!current.held && !tombstone) return { kind: 'overtaken', by: 'the source no longer holds the key: deleted after this copy' };
  }
  return { kind: 'apply', item: tombstone ? withFreshExpiry(entry.item, names, tombstoneTtlSeconds, nowMs) : entry.item };
}

async function sourceVersion(
  source: DrainSource,
  key: Item,
  names: LwwAttributeNames,
  abortSignal?: AbortSignal,
): Promise<{ held: boolean; version?: string }> {
  const out = await source.client.send(
    new GetItemCommand({
      TableName: source.table,
      Key: key,
      ConsistentRead: true,
      // Only the version decides; the key attribute makes an item without a version still "held".
      ProjectionExpression: [...Object.keys(key).map((_, i) => `#k${i}`), '#v'].join(', '),
      ExpressionAttributeNames: { ...Object.fromEntries(Object.keys(key).map((k, i) => [`#k${i}`, k])), '#v': names.version },
    }),
    { abortSignal },
  );
  if (!out.Item) return { held: false };
  return { held: true, version: out.Item[names.version]?.S };
}

/**
 * A tombstone keeps its own expiry while at least half a lifetime of it is left, so that the copies
 * of a delete are the same bytes in every region in all but long outages; otherwise it gets a full
 * lifetime from now. Either way it lives at least half a lifetime after it lands.
 */
export function withFreshExpiry(item: Item, names: LwwAttributeNames, ttlSeconds: number, nowMs: number): Item {
  const own = Number(item[names.ttl]?.N);
  if (Number.isFinite(own) && own >= tombstoneExpiry(nowMs, Math.ceil(ttlSeconds / 2))) return item;
  return { ...item, [names.ttl]: { N: String(tombstoneExpiry(nowMs, ttlSeconds)) } };
}
