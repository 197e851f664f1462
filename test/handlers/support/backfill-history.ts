/**
 * The history of the backfill convergence test: existing regions seeded with a table's worth of
 * items, then rounds of application writes in every region while the backfill runs, and a model of
 * what each key must end up as that is built from the writes themselves (what DynamoDB returned),
 * never from versions the replica writers or the backfill produced.
 *
 * Why "what the last write made" is the right expectation: rounds are separated by full pumps, so
 * a write in a round has seen every earlier round's writes of its key (the writers copy them into
 * every region, the new one included). The only writes it may not have seen are the seeds, where
 * the region does not hold the key yet (the new region before the backfill reached it); `appWrite`
 * says which outcomes the contract then allows.
 */
import {
  AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../../handlers/client';
import { DEFAULT_ATTRIBUTE_NAMES, isTombstone, Item } from '../../../handlers/lww';

const METADATA = new Set<string>(Object.values(DEFAULT_ATTRIBUTE_NAMES));

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failing history can be re-run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** JSON with object keys sorted at every depth: equal text means equal items. */
export function stable(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify({ bytes: Buffer.from(value).toString('base64') });
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What an application reading the item sees: its attributes without replication metadata, or "deleted". */
export function seen(item: Item | undefined): string {
  if (!item || isTombstone(item)) return 'deleted';
  return stable(Object.fromEntries(Object.entries(item).filter(([k]) => !METADATA.has(k))));
}

/** What a put or update made (a plain update of a tombstone keeps the marker in ALL_NEW; the contract revives it). */
function made(item: Item): string {
  return stable(Object.fromEntries(Object.entries(item).filter(([k]) => !METADATA.has(k))));
}

/**
 * What every key may end up as. A write made where the key's last write had been seen replaces
 * the expectation; a write made where the key was absent did not see the writes before it, so the
 * contract orders them by version, which this model does not compute: either may win.
 */
export class Expected {
  readonly byKey = new Map<string, Set<string>>();
  /** Writes made without having seen the key's last write. */
  unseen = 0;
  made(key: string, after: Item, sawLast = true): void {
    this.set(key, made(after), sawLast);
  }
  deleted(key: string, sawLast = true): void {
    this.set(key, 'deleted', sawLast);
  }
  allows(key: string, state: string): boolean {
    return this.byKey.get(key)?.has(state) ?? false;
  }
  private set(key: string, state: string, sawLast: boolean): void {
    if (!sawLast) this.unseen++;
    const now = sawLast ? new Set<string>() : (this.byKey.get(key) ?? new Set<string>());
    this.byKey.set(key, now.add(state));
  }
}

/** A few attribute types per item, so the copy is checked on more than strings. */
export function content(tag: string, n: number): Item {
  return {
    name: { S: `item ${tag}` },
    n: { N: String(n) },
    bytes: { B: new Uint8Array(Buffer.from(`b-${tag}`)) },
    doc: { M: { tag: { S: tag }, flags: { L: [{ BOOL: n % 2 === 0 }, { NULL: true }] } } },
    payload: { S: 'x'.repeat(80) },
  };
}

/** BatchWriteItem in chunks of 25, `parallel` at a time, resending what comes back unprocessed. */
export async function batchWrite(client: DynamoDBClient, table: string, requests: WriteRequest[], parallel = 8): Promise<void> {
  const chunks: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      let pending: WriteRequest[] | undefined = chunks[next++];
      for (let round = 0; pending?.length; round++) {
        if (round > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
        const out: { UnprocessedItems?: Record<string, WriteRequest[]> } = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
        );
        pending = out.UnprocessedItems?.[table];
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export type WriteKind = 'put' | 'update' | 'delete' | 'rawPut' | 'rawUpdate' | 'rawDelete';
export const WRITE_KINDS: readonly WriteKind[] = ['put', 'update', 'delete', 'rawPut', 'rawUpdate', 'rawDelete'];

/**
 * One application write in `region` (through the helper or not), recorded in `expected`. Whether
 * it saw the key's last write: rounds are separated by full pumps, so a region that holds the key
 * holds its last write or a newer state. One that does not hold it has not seen the seed: a helper
 * write still outranks every seed (its version is the application's clock, after every seed was
 * made and versioned), a plain write gets its version from its stream record's time, which
 * DynamoDB Local gives to the minute, so it may tie with a seed's and lose on the region name.
 */
export async function appWrite(
  client: DynamoDBClient,
  table: string,
  region: string,
  key: string,
  kind: WriteKind,
  tag: string,
  expected: Expected,
): Promise<void> {
  const lww = replicatedWrites({ region });
  const Key = { pk: { S: key } };
  const held = (await client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }))).Item !== undefined;
  const sawLast = held || !kind.startsWith('raw');
  const update = {
    TableName: table,
    Key,
    UpdateExpression: 'SET #n = :n, note = :note',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':n': { N: String(tag.length) }, ':note': { S: `updated ${tag} in ${region}` } } as Record<
      string,
      AttributeValue
    >,
    ReturnValues: 'ALL_NEW' as const,
  };
  switch (kind) {
    case 'put': {
      const input = lww.put({ TableName: table, Item: { ...Key, ...content(tag, 1) } });
      await client.send(new PutItemCommand(input));
      return expected.made(key, input.Item as Item, sawLast);
    }
    case 'rawPut': {
      const item = { ...Key, ...content(tag, 2) };
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
      return expected.made(key, item, sawLast);
    }
    case 'update':
    case 'rawUpdate': {
      const out = await client.send(new UpdateItemCommand(kind === 'update' ? lww.update(update) : update));
      return expected.made(key, out.Attributes as Item, sawLast);
    }
    case 'delete':
      await client.send(new PutItemCommand(lww.delete({ TableName: table, Key })));
      return expected.deleted(key, sawLast);
    case 'rawDelete': {
      const out = await client.send(new DeleteItemCommand({ TableName: table, Key, ReturnValues: 'ALL_OLD' }));
      // Deleting what the region does not hold writes nothing (no stream record, nothing to replicate).
      if (out.Attributes) expected.deleted(key, sawLast);
      return;
    }
  }
}
