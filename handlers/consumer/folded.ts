/**
 * Which flush folded a change, across windows (window.ts on Kinesis, docs/consumer-toolkit.md):
 * Kinesis Data Streams for DynamoDB puts a change twice now and then, and the duplicate is a record
 * of its own, so Lambda may put it in a later window than its original. Before a flush commits,
 * each change folded into it gets a marker `folded#<change id>` -> the flush's id (BatchWriteItem);
 * a later window reads the markers of its new changes (BatchGetItem) and skips a change whose
 * marker names a COMPLETED flush of another window. A marker naming a flush that never committed
 * (crashed, released, or given up with its batch) does not count: the change is folded again.
 * Markers live in the idempotency table with the same TTL as its other records.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CommandSender } from './idempotency';

/** BatchWriteItem takes 25 requests, BatchGetItem 100 keys. */
const WRITE_CHUNK = 25;
const READ_CHUNK = 100;
/** Batch calls in flight at once: a flush of 1,000 changes writes 40 chunks, not one after the other. */
const IN_FLIGHT = 4;

export interface FoldedMarkerOptions {
  readonly client: CommandSender;
  readonly tableName: string;
  /** Epoch ms. */
  readonly now: () => number;
  /** Epoch s at which a record written now expires. */
  readonly expiry: (nowMs: number) => number;
  /** Attempts for a chunk DynamoDB leaves (partly) unprocessed, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** Waits `ms` between attempts (tests). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Random source in [0, 1) for the jitter (tests). @default Math.random */
  readonly random?: () => number;
}

/** Thrown when a marker names a flush another invocation holds now: Lambda retries the batch after it settles. */
export class FlushInProgressError extends Error {
  constructor(flushId: string) {
    super(`a change of this batch was folded into flush ${flushId}, which another invocation holds: retry after it settles`);
    this.name = 'FlushInProgressError';
  }
}

export const markerId = (changeId: string) => `folded#${changeId}`;

/** Writes one marker per change id: the change was folded into `flushId` of window `windowKey`. */
export async function writeMarkers(
  o: FoldedMarkerOptions,
  changeIds: readonly string[],
  flushId: string,
  windowKey: string,
): Promise<void> {
  const { BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const expiresAt = { N: String(o.expiry(o.now())) };
  await inChunks(changeIds, WRITE_CHUNK, async (chunk) => {
    let requests = chunk.map((id) => ({
      PutRequest: { Item: { id: { S: markerId(id) }, flush: { S: flushId }, window: { S: windowKey }, expiresAt } },
    }));
    await untilProcessed(o, 'BatchWriteItem', async () => {
      const out = await o.client.send(new BatchWriteItemCommand({ RequestItems: { [o.tableName]: requests } }));
      requests = out.UnprocessedItems?.[o.tableName] ?? [];
      return requests.length;
    });
  });
}

/**
 * The ids among `changeIds` already counted by a committed flush of a window other than
 * `windowKey`. Markers of this window are ignored: the window's state says what it folded, so a
 * retried invocation recomputes the same flush. Throws FlushInProgressError when a marker names a
 * flush whose claim is live.
 */
export async function foldedElsewhere(o: FoldedMarkerOptions, changeIds: readonly string[], windowKey: string): Promise<Set<string>> {
  const nowS = Math.floor(o.now() / 1000);
  const markers = await getItems(o, changeIds.map(markerId));
  const flushOf = new Map<string, string>();
  for (const id of changeIds) {
    const m = markers.get(markerId(id));
    if (!m?.flush?.S || m.window?.S === windowKey || Number(m.expiresAt?.N ?? 0) < nowS) continue;
    flushOf.set(id, m.flush.S);
  }
  if (flushOf.size === 0) return new Set();
  const flushes = await getItems(o, [...new Set(flushOf.values())]);
  const skip = new Set<string>();
  for (const [id, flushId] of flushOf) {
    const f = flushes.get(flushId);
    const status = Number(f?.expiresAt?.N ?? 0) < nowS ? undefined : f?.status?.S;
    if (status === 'COMPLETED') skip.add(id);
    else if (status === 'IN_PROGRESS' && Number(f?.lockedUntil?.N ?? 0) >= o.now()) throw new FlushInProgressError(flushId);
  }
  return skip;
}

/** Consistent reads of `ids` (distinct), 100 per BatchGetItem, unprocessed keys asked again. */
async function getItems(o: FoldedMarkerOptions, ids: readonly string[]): Promise<Map<string, Record<string, AttributeValue>>> {
  const { BatchGetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const found = new Map<string, Record<string, AttributeValue>>();
  await inChunks(ids, READ_CHUNK, async (chunk) => {
    let keys: Record<string, AttributeValue>[] = chunk.map((id) => ({ id: { S: id } }));
    await untilProcessed(o, 'BatchGetItem', async () => {
      const out = await o.client.send(
        new BatchGetItemCommand({
          // Consistent: a marker or flush mark written by the window before must be seen.
          RequestItems: { [o.tableName]: { Keys: keys, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[o.tableName] ?? []) found.set(item.id.S!, item);
      keys = out.UnprocessedKeys?.[o.tableName]?.Keys ?? [];
      return keys.length;
    });
  });
  return found;
}

/** Runs `each` over `ids` in chunks of `size`, IN_FLIGHT chunks at a time; the first failure fails it all. */
async function inChunks(ids: readonly string[], size: number, each: (chunk: readonly string[]) => Promise<void>): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) await each(chunks[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, chunks.length) }, worker));
}

/**
 * Calls `attempt` (which returns how much is left unprocessed) until nothing is, with exponential
 * backoff and full jitter between calls (AWS's advice for unprocessed batch items: they are
 * throttled); bounded, so a table that stays throttled fails the invocation and Lambda retries.
 */
async function untilProcessed(o: FoldedMarkerOptions, call: string, attempt: () => Promise<number>): Promise<void> {
  const max = o.maxAttempts ?? 8;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = o.random ?? Math.random;
  for (let n = 1; ; n++) {
    const left = await attempt();
    if (left === 0) return;
    if (n >= max)
      throw Object.assign(new Error(`${call} on ${o.tableName} left ${left} items unprocessed after ${max} attempts`), {
        name: 'ThrottlingException',
      });
    await sleep(Math.floor(random() * Math.min(2000, 50 * 2 ** (n - 1))));
  }
}
