/**
 * Tables and items for the backfill library tests: a source table in one DynamoDB Local "region"
 * and an empty target in another, and a seed of versioned items, tombstones (written the way the
 * write helper writes them) and items written before replication (no version).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { BackfillOptions } from '../../../handlers/backfill';
import { replicatedWrites } from '../../../handlers/client';
import { Item } from '../../../handlers/lww';
import { batchWrite, content } from './backfill-history';
import { dynamoClient, startRegions } from '../../support/dynamodb-local';
import { createTable } from '../../support/streams';
import { scanAll } from './world';

export { stable } from './backfill-history';
export const EU = 'eu-west-1';
export const AP = 'ap-southeast-2';

/** The table in both regions, without streams (the backfill reads none). */
export async function createTables(
  source: DynamoDBClient,
  target: DynamoDBClient,
  table: string,
  options: { targetSortKey?: string } = {},
): Promise<void> {
  await Promise.all([createTable(source, table), createTable(target, table, { sortKey: options.targetSortKey })]);
}

/** Writes the seed; returns every item as written, by pk. */
export async function seedSource(
  client: DynamoDBClient,
  table: string,
  counts: { versioned: number; tombstones: number; unversioned: number },
): Promise<Map<string, Item>> {
  const lww = replicatedWrites({ region: EU, now: () => 1_700_000_000_000 });
  const items: Item[] = [];
  for (let i = 0; i < counts.versioned; i++)
    items.push(lww.put({ TableName: table, Item: { pk: { S: `v-${i}` }, ...content(`v-${i}`, i) } }).Item as Item);
  for (let i = 0; i < counts.tombstones; i++) items.push(lww.delete({ TableName: table, Key: { pk: { S: `t-${i}` } } }).Item as Item);
  for (let i = 0; i < counts.unversioned; i++) items.push({ pk: { S: `u-${i}` }, ...content(`u-${i}`, i) });
  if (items.length > 25)
    await batchWrite(
      client,
      table,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
  else for (const Item of items) await client.send(new PutItemCommand({ TableName: table, Item }));
  return new Map(items.map((i) => [i.pk.S!, i]));
}

export async function sourceItems(client: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  return new Map((await scanAll(client, table)).map((i) => [i.pk.S!, i]));
}

/** The two regions of the backfill tests: an existing one (source) and a new one (target). */
export interface TwoRegions {
  readonly source: DynamoDBClient;
  readonly target: DynamoDBClient;
  readonly endpoints: Record<typeof EU | typeof AP, string>;
  stop(): Promise<void>;
}

export async function startTwoRegions(): Promise<TwoRegions> {
  const regions = await startRegions([EU, AP]);
  const source = dynamoClient(regions.instances[EU].endpoint, EU);
  const target = dynamoClient(regions.instances[AP].endpoint, AP);
  return {
    source,
    target,
    endpoints: { [EU]: regions.instances[EU].endpoint, [AP]: regions.instances[AP].endpoint },
    stop: async () => {
      source.destroy();
      target.destroy();
      await regions.stop();
    },
  };
}

/** The two regions of a test file, started before its tests and stopped after. */
export interface TestRegions {
  readonly source: DynamoDBClient;
  readonly target: DynamoDBClient;
  readonly endpoints: TwoRegions['endpoints'];
  /** Options copying `table` from the source region into the target one, without a rate limit. */
  options(table: string, extra?: Partial<BackfillOptions>): BackfillOptions;
}

export function twoRegionsForTests(): TestRegions {
  let started: TwoRegions | undefined;
  beforeAll(async () => {
    started = await startTwoRegions();
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): TwoRegions => {
    if (!started) throw new Error('the regions are started in beforeAll');
    return started;
  };
  return {
    get source() {
      return current().source;
    },
    get target() {
      return current().target;
    },
    get endpoints() {
      return current().endpoints;
    },
    options: (table, extra) => backfillOptions(current(), table, extra),
  };
}

/** Options copying `table` from the source region into the target one, without a rate limit. */
export function backfillOptions(regions: TwoRegions, table: string, extra: Partial<BackfillOptions> = {}): BackfillOptions {
  return {
    source: { region: EU, table, client: regions.source },
    target: { region: AP, table, client: regions.target },
    itemsPerSecond: Infinity,
    ...extra,
  };
}

/** A client for `endpoint` whose sends `hook` sees first (it may throw to fail one: a FAKE failure). */
export function watched(endpoint: string, region: string, hook: (command: string, input: any) => void): DynamoDBClient {
  const client = dynamoClient(endpoint, region, { maxAttempts: 1 });
  client.middlewareStack.add((next, context) => async (args) => (hook(context.commandName!, args.input), next(args)), {
    step: 'initialize',
    name: 'watch',
  });
  return client;
}

export function checkpointPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'backfill-')), 'checkpoint.json');
}

export function byPk(a: Item, b: Item): number {
  return a.pk.S! < b.pk.S! ? -1 : a.pk.S! > b.pk.S! ? 1 : 0;
}
