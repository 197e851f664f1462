/**
 * Adding a region to a replicated table that holds data (docs/backfill.md), end to end on three
 * DynamoDB Local regions with real streams and the real replica writers:
 *
 * 1. eu-west-1 and us-east-1 replicate each other and hold 10,100 keys: 9,200 written through the
 *    helper (a tenth of them deleted: tombstones), 400 written without it (stamped, updated and
 *    hard-deleted by the writers), and 500 that eu-west-1 holds from before replication was turned
 *    on (no version, stream records long gone).
 * 2. ap-southeast-2 is deployed: its table, and every writer redeployed with it as a target.
 * 3. The backfill copies eu-west-1 into it, four segments at a time. After every page a round of
 *    application writes is made in all three regions (helper and plain puts, updates, deletes, on
 *    keys already copied, not yet copied, never versioned, deleted, and new), then the writers
 *    drain every stream, while the other segments go on copying.
 * 4. Every region holds byte-identical tables, and every key holds what its last write made
 *    (support/backfill-history.ts says why that is the right expectation here).
 *
 * The bulk of the helper-written seed is written into both existing regions directly, as their
 * writers would have left it (the same item, byte for byte, in each), before their streams are
 * turned on (its records long delivered and trimmed), so the test spends its time on the backfill
 * rather than on replaying 9,200 records; everything after goes through the real writers.
 *
 * FAKES (no local counterpart): the failure queue is a fake SQS; the event source mapping is
 * played by `pump` (support/world.ts).
 */
import { GetItemCommand, UpdateItemCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { replicatedWrites } from '../../handlers/client';
import { fileCheckpoint, runBackfill } from '../../handlers/backfill';
import { Item } from '../../handlers/lww';
import { appWrite, batchWrite, content, Expected, random, seen, stable, WRITE_KINDS } from './support/backfill-history';
import { addRegions, Deployment, deployOverData, pump, scanAll, startWorld, World } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const TABLE = 'customers';
const BULK = 9_200;
const LIVE = 400;
const PRE = 500;
const SEED = Number(process.env.BACKFILL_SEED ?? 20261201);

let world: World;
beforeAll(async () => {
  world = await startWorld([EU, US, AP]);
});
afterAll(async () => {
  await world?.stop();
});

test('GIVEN two regions holding 10,100 keys WHEN a third is added and backfilled while every region keeps writing THEN all three hold byte-identical tables with every key as its last write made it', async () => {
  const rng = random(SEED);
  const expected = new Expected();
  const started = Date.now();
  const { dep: dep2, keys } = await existingRegions(expected);
  expect((await scanAll(world.ddb[EU], TABLE)).length).toBe(BULK + LIVE + PRE);

  const dep3 = await addRegions(world, dep2);
  const seeded = Date.now();
  // A helper write's version must be above every seed's: its clock must have moved on.
  await new Promise((r) => setTimeout(r, 5));

  let round = 0;
  let rounds = Promise.resolve();
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
  const summary = await runBackfill({
    source: { region: EU, table: TABLE, client: world.ddb[EU] },
    target: { region: AP, table: TABLE, client: world.ddb[AP] },
    segments: 8,
    scanConcurrency: 4,
    writeConcurrency: 32,
    pageSize: 500,
    itemsPerSecond: Infinity,
    checkpoint: fileCheckpoint(join(mkdtempSync(join(tmpdir(), 'backfill-')), 'checkpoint.json')),
    // One round at a time; the other segments keep copying meanwhile.
    onPage: () =>
      (rounds = rounds.then(async () => {
        round++;
        const touched = new Set<string>();
        for (const region of [EU, US, AP, EU, US, AP, EU, US, AP]) {
          const group = pick([keys.bulk, keys.live, keys.pre, keys.fresh]);
          const brandNew = group === keys.fresh && (group.length === 0 || rng() < 0.5);
          const key = brandNew ? `new-${round}-${region}` : pick(group);
          if (touched.has(key)) continue;
          touched.add(key);
          if (brandNew) keys.fresh.push(key);
          await appWrite(
            world.ddb[region],
            TABLE,
            region,
            key,
            WRITE_KINDS[Math.floor(rng() * WRITE_KINDS.length)],
            `r${round}-${region}`,
            expected,
          );
        }
        await pump(world, dep3);
      })),
  });
  const copied = Date.now();
  await pump(world, dep3);

  expect(summary).toMatchObject({ status: 'complete', segments: { total: 8, done: 8 }, problems: [] });
  expect(summary.totals.scanned).toBeGreaterThanOrEqual(BULK + LIVE + PRE);
  expect(summary.totals.tombstones).toBeGreaterThan(BULK / 20);
  expect(summary.totals.stamped).toBeGreaterThan(PRE / 2);
  expect(summary.totals.copied).toBeGreaterThan(BULK);
  expect(summary.totals.failed).toBe(0);
  expect(round).toBeGreaterThan(15);
  // Some writes were made where the key was not held yet (before the backfill copied it).
  expect(expected.unseen).toBeGreaterThan(0);

  const tables = await Promise.all([EU, US, AP].map(async (r) => new Map((await scanAll(world.ddb[r], TABLE)).map((i) => [i.pk.S!, i]))));
  const [eu, us, ap] = tables;
  expect(eu.size).toBeGreaterThanOrEqual(BULK + LIVE + PRE);
  const differences: string[] = [];
  for (const key of new Set([...eu.keys(), ...us.keys(), ...ap.keys(), ...expected.byKey.keys()])) {
    const texts = tables.map((t) => stable(t.get(key) ?? 'absent'));
    if (texts[1] !== texts[0] || texts[2] !== texts[0]) differences.push(`${key}: ${EU}=${texts[0]} ${US}=${texts[1]} ${AP}=${texts[2]}`);
    else if (!expected.allows(key, seen(eu.get(key))))
      differences.push(`${key}: holds ${seen(eu.get(key))}, its last writes made ${[...(expected.byKey.get(key) ?? [])].join(' or ')}`);
  }
  expect(differences.slice(0, 10)).toEqual([]);
  const seconds = (a: number, b: number) => Math.round((b - a) / 100) / 10;
  console.log(
    JSON.stringify({ seed: SEED, rounds: round, items: eu.size, unseen: expected.unseen, backfill: summary.totals, run: summary.thisRun }) +
      `\nseconds: seeding ${seconds(started, seeded)}, backfill with rounds ${seconds(seeded, copied)}, final pump and checks ${seconds(copied, Date.now())}`,
  );
}, 600_000);

/** Step 1: the existing regions, their data, and its expected state. */
async function existingRegions(
  expected: Expected,
): Promise<{ dep: Deployment; keys: Record<'bulk' | 'live' | 'pre' | 'fresh', string[]> }> {
  const keys = { bulk: [] as string[], live: [] as string[], pre: [] as string[], fresh: [] as string[] };
  // From before replication: eu-west-1 only, no version.
  const pre: WriteRequest[] = [];
  for (let i = 0; i < PRE; i++) {
    const Item = { pk: { S: `pre-${i}` }, ...content(`pre-${i}`, i) };
    keys.pre.push(Item.pk.S);
    expected.made(Item.pk.S, Item);
    pre.push({ PutRequest: { Item } });
  }
  // Helper writes an hour ago, in both regions as replication left them.
  const bulk: WriteRequest[] = [];
  const lww = {
    [EU]: replicatedWrites({ region: EU, now: () => Date.now() - 3_600_000 }),
    [US]: replicatedWrites({ region: US, now: () => Date.now() - 3_600_000 }),
  };
  for (let i = 0; i < BULK; i++) {
    const key = { pk: { S: `bulk-${i}` } };
    const writer = lww[i % 3 === 0 ? US : EU];
    const Item =
      i % 10 === 9
        ? writer.delete({ TableName: TABLE, Key: key }).Item!
        : writer.put({ TableName: TABLE, Item: { ...key, ...content(`bulk-${i}`, i) } }).Item!;
    keys.bulk.push(key.pk.S);
    if (i % 10 === 9) expected.deleted(key.pk.S);
    else expected.made(key.pk.S, Item as Item);
    bulk.push({ PutRequest: { Item } });
  }
  const dep = await deployOverData({ ...world, regions: [EU, US] }, TABLE, (region, client) =>
    batchWrite(client, TABLE, region === EU ? [...pre, ...bulk] : bulk),
  );

  // Written without the helper, through the real writers: stamped, updated, hard-deleted.
  const live: Record<string, WriteRequest[]> = { [EU]: [], [US]: [] };
  for (let i = 0; i < LIVE; i++) {
    const Item = { pk: { S: `live-${i}` }, ...content(`live-${i}`, i) };
    keys.live.push(Item.pk.S);
    expected.made(Item.pk.S, Item);
    live[i % 2 ? US : EU].push({ PutRequest: { Item } });
  }
  await Promise.all([batchWrite(world.ddb[EU], TABLE, live[EU]), batchWrite(world.ddb[US], TABLE, live[US])]);
  await pump({ ...world, regions: [EU, US] }, dep);
  for (let i = 0; i < LIVE; i += 10) {
    const Key = { pk: { S: `live-${i}` } };
    const out = await world.ddb[US].send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key,
        UpdateExpression: 'SET note = :x',
        ExpressionAttributeValues: { ':x': { S: 'plain update' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expected.made(Key.pk.S, out.Attributes as Item);
  }
  const deletes = keys.live.filter((_, i) => i % 10 === 5).map((k) => ({ DeleteRequest: { Key: { pk: { S: k } } } }));
  await batchWrite(world.ddb[EU], TABLE, deletes);
  for (const d of deletes) expected.deleted(d.DeleteRequest.Key.pk.S);
  await pump({ ...world, regions: [EU, US] }, dep);
  // The writers did turn the hard deletes into tombstones in both regions.
  const tomb = await world.ddb[US].send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'live-5' } }, ConsistentRead: true }));
  expect(tomb.Item?._d).toEqual({ BOOL: true });
  return { dep, keys };
}
