/**
 * Deletes through a target region's outage longer than the tombstone TTL, against real DynamoDB
 * Local regions and streams (leased from the shared pool). AP is down: the other regions' writers
 * and drainers reach it through a loopback TCP relay that we shut (real connection refusals).
 *
 * FAKE, named: DynamoDB Local never expires items by TTL. `fakeTtlSweep` plays DynamoDB's TTL
 * process at a simulated time: it deletes every item whose `_ttl` is in that time's past, and the
 * REMOVE records it leaves are handed to the region's writer with the identity DynamoDB's TTL
 * process puts on its deletes (the writer skips those). The drainers run on the same simulated clock.
 *
 * The oracle is what the applications did, in real time: every key below was last deleted, so
 * every region must end with no visible item for it, and with nothing at all once every tombstone
 * has expired.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../handlers/client';
import { createDrainHandler, DrainHandler } from '../../handlers/replicate/drain-backlog';
import { withFreshExpiry } from '../../handlers/replicate/drain-source';
import type { Item } from '../../handlers/lww';
import { streamEvent } from '../support/streams';
import { startTcpGate, TcpGate } from '../support/tcp-gate';
import { backlogTableName } from './support/state-table';
import { deploy, Deployment, localClients, pump, pumpAndDrain, startWorld, uniqueTable, World } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const REGIONS = [EU, US, AP];
const DAY_MS = 24 * 3600 * 1000;
let world: World;
/** Relays every other region reaches AP through, and US reaches EU through (shut: that link is down). */
const gates: Record<string, TcpGate> = {};

beforeAll(async () => {
  world = await startWorld(REGIONS);
  gates[AP] = await startTcpGate(world.local[AP].port);
  gates[EU] = await startTcpGate(world.local[EU].port);
});
afterAll(async () => {
  for (const g of Object.values(gates)) await g.stop();
  await world?.stop();
});

const apps = Object.fromEntries(REGIONS.map((r) => [r, replicatedWrites({ region: r })]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The keys of one history and what the applications did to them, in real time. */
const KEYS = {
  /** Written in EU during the outage (EU keeps it for AP), then deleted in US: AP never had it. */
  fresh: 'fresh',
  /** In every region before the outage, rewritten in EU during it, then deleted in US. */
  old: 'old',
  /** In every region before the outage, deleted in EU during it: EU keeps the tombstone for AP. */
  gone: 'gone',
};

type Order = 'EU drains first' | 'US drains first';

test.each<Order>(['US drains first', 'EU drains first'])(
  'GIVEN AP down 8 days (longer than the 7-day tombstone TTL) while EU writes and US and EU delete WHEN AP returns and the backlogs drain (%s, tombstones expiring in between) THEN every deleted key stays deleted in every region',
  async (order) => {
    const table = uniqueTable('tombstones');
    const dep = await deployThroughGates(table);
    await write(EU, table, KEYS.old, 'before');
    await write(EU, table, KEYS.gone, 'before');
    await pump(world, dep, { maxRetries: 0 });
    expect((await visible(AP, table, KEYS.gone))?.value).toEqual({ S: 'before' });

    await gates[AP].shut();
    await write(EU, table, KEYS.fresh, 'v1');
    await write(EU, table, KEYS.old, 'v1');
    await remove(EU, table, KEYS.gone);
    await pump(world, dep, { maxRetries: 0 });
    await remove(US, table, KEYS.fresh);
    await remove(US, table, KEYS.old);
    await pump(world, dep, { maxRetries: 0 });
    // The history the bug needs: EU keeps its older copies for AP, US keeps its tombstones for AP.
    expect(await keptFor(EU, table)).toEqual({ fresh: 'live', old: 'live', gone: 'tombstone' });
    expect(await keptFor(US, table)).toEqual({ fresh: 'tombstone', old: 'tombstone' });

    // Eight days later every tombstone written during the outage has expired, in EU and US alike.
    const clock = { now: Date.now() + 8 * DAY_MS };
    await fakeTtlSweep(dep, clock.now);
    for (const key of Object.values(KEYS))
      for (const r of [EU, US]) expect([r, key, await raw(r, table, key)]).toEqual([r, key, undefined]);

    await gates[AP].open();
    const drainers = Object.fromEntries(REGIONS.map((r) => [r, drainerAt(dep, r, clock)]));
    const first = order === 'EU drains first' ? [EU, US] : [US, EU];
    for (const r of first) {
      await drainers[r]();
      // The TTL process may run between any two drains: whatever it finds expired by now is gone.
      await fakeTtlSweep(dep, clock.now);
    }
    await pumpAndDrain(world, dep, drainers);
    await fakeTtlSweep(dep, clock.now);

    for (const key of Object.values(KEYS)) {
      for (const r of REGIONS) expect([r, key, await visible(r, table, key)]).toEqual([r, key, undefined]);
    }
    for (const r of [EU, US]) expect(await backlogOf(r, table)).toEqual([]);
    // And once the TTL process has removed every tombstone, the regions hold the same nothing.
    clock.now += 30 * DAY_MS;
    await fakeTtlSweep(dep, clock.now);
    for (const key of Object.values(KEYS)) {
      for (const r of REGIONS) expect([r, key, await raw(r, table, key)]).toEqual([r, key, undefined]);
    }
  },
);

test('GIVEN AP down 8 days and US unable to reach EU as well WHEN US deletes a key EU wrote, AP returns, US drains its tombstone to AP, the TTL process runs, and EU drains its older copy THEN the tombstone (landed late, with a fresh expiry) refuses the copy, and every region ends without the key once US reaches EU', async () => {
  const table = uniqueTable('tombstone-expiry');
  const dep = await deployThroughGates(table);
  await gates[AP].shut();
  await gates[EU].shut();
  await write(EU, table, KEYS.fresh, 'v1');
  await pump(world, dep, { maxRetries: 0 });
  await remove(US, table, KEYS.fresh);
  await pump(world, dep, { maxRetries: 0 });
  expect(await keptFor(EU, table)).toEqual({ fresh: 'live' });
  expect(await keptFor(US, table)).toEqual({ fresh: 'tombstone' });

  const clock = { now: Date.now() + 8 * DAY_MS };
  await fakeTtlSweep(dep, clock.now);
  // EU never saw the delete: it still holds (and keeps for AP) the copy the delete overwrote elsewhere.
  expect((await visible(EU, table, KEYS.fresh))?.value).toEqual({ S: 'v1' });
  expect(await raw(US, table, KEYS.fresh)).toBeUndefined();

  await gates[AP].open();
  await drainerAt(dep, US, clock)();
  expect(apps[AP].visible(await raw(AP, table, KEYS.fresh))).toBeUndefined();
  await fakeTtlSweep(dep, clock.now);
  await drainerAt(dep, EU, clock)();
  expect([AP, await visible(AP, table, KEYS.fresh)]).toEqual([AP, undefined]);

  await gates[EU].open();
  await pumpAndDrain(world, dep, Object.fromEntries(REGIONS.map((r) => [r, drainerAt(dep, r, clock)])));
  for (const r of REGIONS) expect([r, await visible(r, table, KEYS.fresh)]).toEqual([r, undefined]);
  clock.now += 30 * DAY_MS;
  await fakeTtlSweep(dep, clock.now);
  for (const r of REGIONS) expect([r, await raw(r, table, KEYS.fresh)]).toEqual([r, undefined]);
});

/** Every writer reaches AP through its gate, and US reaches EU through EU's; AP's writer is direct. */
function deployThroughGates(table: string): Promise<Deployment> {
  const endpoint = (from: string, to: string) => (to === AP || (from === US && to === EU) ? gates[to].endpoint : world.local[to].endpoint);
  const targets = (from: string) => REGIONS.filter((x) => x !== from).map((to) => ({ region: to, table, endpoint: endpoint(from, to) }));
  return deploy(world, table, (r) => ({ configOverrides: { targets: targets(r) } }));
}

/** A drainer next to `region`'s writer whose clock is `clock` (the simulated days of the outage). */
function drainerAt(dep: Deployment, region: string, clock: { now: number }): DrainHandler {
  const config = dep.config[region];
  return createDrainHandler({
    config: { ...config, sourceTable: dep.table, backlogTable: config.backlogTable! },
    clients: localClients(),
    now: () => clock.now,
  });
}

/**
 * FAKE (DynamoDB Local has no TTL process): deletes, in every region, the items whose `_ttl` is
 * before `nowMs`, then hands each region's writer the REMOVE records this left, marked as
 * DynamoDB's TTL process marks its deletes.
 */
async function fakeTtlSweep(dep: Deployment, nowMs: number): Promise<void> {
  await pump(world, dep, { maxRetries: 0 });
  for (const r of REGIONS) {
    const out = await world.ddb[r].send(new ScanCommand({ TableName: dep.table, ConsistentRead: true }));
    for (const item of (out.Items ?? []) as Item[]) {
      if (item._ttl?.N === undefined || Number(item._ttl.N) * 1000 >= nowMs) continue;
      await world.ddb[r].send(
        new DeleteItemCommand({
          TableName: dep.table,
          Key: { pk: item.pk },
          ConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': '_ttl' },
          ExpressionAttributeValues: { ':t': item._ttl },
        }),
      );
    }
    const records = await dep.readers[r].readNew();
    if (!records.length) continue;
    for (const record of records) {
      expect(record.eventName).toBe('REMOVE');
      record.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    }
    expect((await dep.writers[r](streamEvent(records))).batchItemFailures).toEqual([]);
  }
}

async function write(region: string, table: string, pk: string, value: string): Promise<void> {
  await world.ddb[region].send(new PutItemCommand(apps[region].put({ TableName: table, Item: { pk: { S: pk }, value: { S: value } } })));
  await sleep(2); // the next write gets a later millisecond, so real-time order is version order
}

async function remove(region: string, table: string, pk: string): Promise<void> {
  await world.ddb[region].send(new PutItemCommand(apps[region].delete({ TableName: table, Key: { pk: { S: pk } } })));
  await sleep(2);
}

async function raw(region: string, table: string, pk: string): Promise<Item | undefined> {
  const out = await world.ddb[region].send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }));
  return out.Item as Item | undefined;
}

async function visible(region: string, table: string, pk: string): Promise<Item | undefined> {
  return apps[region].visible(await raw(region, table, pk));
}

async function backlogOf(region: string, table: string): Promise<Item[]> {
  const out = await world.ddb[region].send(new ScanCommand({ TableName: backlogTableName(table), ConsistentRead: true }));
  return (out.Items ?? []) as Item[];
}

/** What `region` keeps for AP, by key: a live copy or a tombstone. */
async function keptFor(region: string, table: string): Promise<Record<string, string>> {
  const entries = (await backlogOf(region, table)).filter((e) => e.t.S === `${AP}/${table}`);
  return Object.fromEntries(entries.map((e) => [e.img.M!.pk.S!, e.img.M!._d?.BOOL ? 'tombstone' : 'live']).sort());
}

describe('the expiry of a tombstone the drainer applies (pure)', () => {
  const names = { version: '_v', origin: '_o', deleted: '_d', ttl: '_ttl', writtenFor: '_w' };
  const week = 7 * 24 * 3600;
  const now = 1_800_000_000_000;
  const tombstone = (ttl?: number): Item => ({
    pk: { S: 'k' },
    _d: { BOOL: true },
    ...(ttl === undefined ? {} : { _ttl: { N: String(ttl) } }),
  });

  test.each([
    ['with more than half its lifetime left: its own bytes', now / 1000 + week / 2 + 1, now / 1000 + week / 2 + 1],
    ['with exactly half left: its own bytes', now / 1000 + week / 2, now / 1000 + week / 2],
    ['with less than half left: a full lifetime from now', now / 1000 + week / 2 - 1, now / 1000 + week],
    ['already expired: a full lifetime from now', now / 1000 - 3600, now / 1000 + week],
    ['without an expiry: a full lifetime from now', undefined, now / 1000 + week],
  ])('GIVEN a tombstone %s', (_, own, expected) => {
    expect(withFreshExpiry(tombstone(own), names, week, now)._ttl).toEqual({ N: String(expected) });
  });
});
