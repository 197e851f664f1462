/**
 * The backfill library on two DynamoDB Local instances (an existing region and a new one): what it
 * does to each kind of item, and what it refuses. (Resuming, pacing and throttling:
 * backfill-resume.test.ts.)
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'fs';
import { fileCheckpoint, runBackfill } from '../../handlers/backfill';
import { replicatedWrites } from '../../handlers/client';
import { AP, byPk, checkpointPath, createTables, EU, seedSource, sourceItems, stable, twoRegionsForTests } from './support/backfill-tables';
import { scanAll, uniqueTable } from './support/world';

const regions = twoRegionsForTests();

test('GIVEN items with versions, tombstones and items without a version WHEN backfilled THEN the target holds every item as the source does, and the unversioned ones got the oldest version in the source, content untouched', async () => {
  const table = uniqueTable('kinds');
  await createTables(regions.source, regions.target, table);
  const before = await seedSource(regions.source, table, { versioned: 30, tombstones: 10, unversioned: 10 });
  const summary = await runBackfill(regions.options(table, { segments: 3, pageSize: 7 }));
  expect(summary).toMatchObject({
    status: 'complete',
    totals: { scanned: 50, copied: 50, stale: 0, stamped: 10, skipped: 0, failed: 0, tombstones: 10 },
  });
  const after = await sourceItems(regions.source, table);
  expect(stable([...(await scanAll(regions.target, table))].sort(byPk))).toBe(stable([...after.values()].sort(byPk)));
  for (const [pk, item] of before) {
    const now = after.get(pk)!;
    if (item._v) expect(now).toEqual(item);
    else {
      expect(now).toEqual({ ...item, _v: { S: '0000000000000#eu-west-1#backfill' }, _o: { S: EU } });
    }
  }
});

test('GIVEN a target that already holds some keys newer and some older WHEN backfilled THEN newer ones stay (stale) and older ones are replaced', async () => {
  const table = uniqueTable('stale');
  await createTables(regions.source, regions.target, table);
  const items = await seedSource(regions.source, table, { versioned: 20, tombstones: 0, unversioned: 0 });
  const pks = [...items.keys()].sort();
  const newer = { pk: { S: pks[0] }, _v: { S: '9999999999999#us-east-1#aaaaaaaaaaaa' }, _o: { S: 'us-east-1' }, note: { S: 'newer' } };
  const older = { pk: { S: pks[1] }, _v: { S: '0000000000001#us-east-1#aaaaaaaaaaaa' }, _o: { S: 'us-east-1' }, note: { S: 'older' } };
  await regions.target.send(new PutItemCommand({ TableName: table, Item: newer }));
  await regions.target.send(new PutItemCommand({ TableName: table, Item: older }));
  const summary = await runBackfill(regions.options(table));
  expect(summary.totals).toMatchObject({ scanned: 20, copied: 19, stale: 1 });
  expect((await regions.target.send(new GetItemCommand({ TableName: table, Key: { pk: newer.pk } }))).Item).toEqual(newer);
  expect((await regions.target.send(new GetItemCommand({ TableName: table, Key: { pk: older.pk } }))).Item).toEqual(items.get(pks[1]));
});

test('GIVEN --unversioned skip and items whose version attribute is not a version WHEN backfilled THEN they are skipped, listed with the reason, and the source is left as it was', async () => {
  const table = uniqueTable('skip');
  await createTables(regions.source, regions.target, table);
  const before = await seedSource(regions.source, table, { versioned: 5, tombstones: 0, unversioned: 3 });
  await regions.source.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'odd-1' }, _v: { S: 'yesterday' } } }));
  await regions.source.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'odd-2' }, _v: { N: '17' } } }));
  const summary = await runBackfill(regions.options(table, { unversioned: 'skip' }));
  expect(summary.totals).toMatchObject({ scanned: 10, copied: 5, skipped: 5, stamped: 0 });
  const reasons = Object.fromEntries(summary.problems.map((p) => [JSON.parse(p.key).pk.S, `${p.kind}: ${p.reason}`]));
  expect(reasons['odd-1']).toBe('skipped: _v is not a replication version ({"S":"yesterday"}); its writer parks such writes too');
  expect(reasons['odd-2']).toMatch(/^skipped: _v is not a replication version \(\{"N":"17"\}\)/);
  for (const [pk, item] of before)
    if (!item._v) expect(reasons[pk]).toMatch(/^skipped: no version attribute .*--unversioned stamp copies it$/);
  const after = await sourceItems(regions.source, table);
  for (const [pk, item] of before) expect(after.get(pk)).toEqual(item);
});

test('GIVEN a target region that omits and masks attributes WHEN backfilled THEN it gets items as its writer would write them: omitted gone, masked "***", keys and metadata intact', async () => {
  const table = uniqueTable('masked');
  await createTables(regions.source, regions.target, table);
  const item = {
    pk: { S: 'p1' },
    email: { S: 'a@example.com' },
    phone: { S: '+44 1' },
    city: { S: 'Leeds' },
    _v: { S: '1700000000000#eu-west-1#abc' },
    _o: { S: EU },
  };
  await regions.source.send(new PutItemCommand({ TableName: table, Item: item }));
  const summary = await runBackfill({
    ...regions.options(table),
    target: { region: AP, table, client: regions.target, omit: ['email', 'pk'], mask: ['phone', '_v'] },
  });
  expect(summary.totals).toMatchObject({ copied: 1 });
  expect((await regions.target.send(new GetItemCommand({ TableName: table, Key: { pk: item.pk } }))).Item).toEqual({
    pk: item.pk,
    phone: { S: '***' },
    city: item.city,
    _v: item._v,
    _o: item._o,
  });
});

test('GIVEN selective replication WHEN backfilled with its pattern THEN only matching items and every tombstone are copied, as the writers would', async () => {
  const table = uniqueTable('where');
  await createTables(regions.source, regions.target, table);
  const lww = replicatedWrites({ region: EU });
  const items = [
    lww.put({ TableName: table, Item: { pk: { S: 'gold-1' }, tier: { S: 'gold' } } }).Item!,
    lww.put({ TableName: table, Item: { pk: { S: 'gold-2' }, tier: { S: 'gold' }, photo: { B: new Uint8Array([1, 2, 3]) } } }).Item!,
    lww.put({ TableName: table, Item: { pk: { S: 'silver-1' }, tier: { S: 'silver' } } }).Item!,
    { pk: { S: 'plain-silver' }, tier: { S: 'silver' } },
    lww.delete({ TableName: table, Key: { pk: { S: 'gone' } } }).Item!,
  ];
  for (const Item of items) await regions.source.send(new PutItemCommand({ TableName: table, Item }));
  const summary = await runBackfill(regions.options(table, { replicateItemsWhere: { tier: { S: ['gold'] } } }));
  expect(summary.totals).toMatchObject({ scanned: 5, copied: 3, filtered: 2, stamped: 0, tombstones: 1 });
  expect((await scanAll(regions.target, table)).map((i) => i.pk.S).sort()).toEqual(['gold-1', 'gold-2', 'gone']);
  // An item outside the pattern is not stamped either: its writer would drop the stamp's record.
  expect((await sourceItems(regions.source, table)).get('plain-silver')).toEqual(items[3]);
});

test('GIVEN an item that masking makes too large for the target WHEN backfilled THEN it is counted as failed and listed, and the rest are copied', async () => {
  const table = uniqueTable('oversize');
  await createTables(regions.source, regions.target, table);
  const lww = replicatedWrites({ region: EU });
  const small = lww.put({ TableName: table, Item: { pk: { S: 'small' }, p: { S: 'x' } } }).Item!;
  const probe = lww.put({ TableName: table, Item: { pk: { S: 'big' }, p: { S: 'x' }, fill: { S: '' } } }).Item!;
  // One byte under DynamoDB's 409,600-byte limit as stored; masking p ('x' -> '***') adds two.
  const used = Object.entries(probe).reduce((n, [k, v]) => n + k.length + (v.S ?? '').length, 0);
  const big = { ...probe, fill: { S: 'y'.repeat(400 * 1024 - 1 - used) } };
  await regions.source.send(new PutItemCommand({ TableName: table, Item: small }));
  await regions.source.send(new PutItemCommand({ TableName: table, Item: big }));
  const summary = await runBackfill({ ...regions.options(table), target: { region: AP, table, client: regions.target, mask: ['p'] } });
  expect(summary.totals).toMatchObject({ scanned: 2, copied: 1, failed: 1 });
  expect(summary.problems).toEqual([
    {
      kind: 'failed',
      key: '{"pk":{"S":"big"}}',
      reason: `409601 bytes for ap-southeast-2/${table} after masking, over DynamoDB's 409600-byte item limit`,
    },
  ]);
});

test('GIVEN a target missing some items and behind on others WHEN verified THEN it counts and lists them, writes nothing, and finds all present once copied', async () => {
  const table = uniqueTable('verify');
  await createTables(regions.source, regions.target, table);
  const items = await seedSource(regions.source, table, { versioned: 20, tombstones: 5, unversioned: 2 });
  // Versioned items and tombstones: the ones a verification compares.
  const pks = [...items.keys()].filter((k) => items.get(k)!._v).sort();
  for (const pk of pks.slice(0, 15)) await regions.target.send(new PutItemCommand({ TableName: table, Item: items.get(pk)! }));
  const older = { ...items.get(pks[15])!, _v: { S: '0000000000001#us-east-1#aaaaaaaaaaaa' } };
  await regions.target.send(new PutItemCommand({ TableName: table, Item: older }));
  const before = stable((await scanAll(regions.target, table)).sort(byPk));
  const check = await runBackfill(regions.options(table, { verify: true, segments: 2, pageSize: 10 }));
  expect(check).toMatchObject({
    mode: 'verify',
    status: 'complete',
    totals: { scanned: 27, present: 15, behind: 1, missing: 9, skipped: 2, copied: 0, tombstones: 5 },
  });
  expect(check.problems.filter((p) => p.kind === 'behind')).toEqual([
    {
      kind: 'behind',
      key: JSON.stringify({ pk: { S: pks[15] } }),
      reason: `ap-southeast-2/${table} holds 0000000000001#us-east-1#aaaaaaaaaaaa, older than the source's ${items.get(pks[15])!._v.S}`,
    },
  ]);
  expect(
    check.problems
      .filter((p) => p.kind === 'missing')
      .map((p) => JSON.parse(p.key).pk.S)
      .sort(),
  ).toEqual(pks.slice(16).sort());
  expect(stable((await scanAll(regions.target, table)).sort(byPk))).toBe(before);
  await runBackfill(regions.options(table));
  const again = await runBackfill(regions.options(table, { verify: true }));
  expect(again.totals).toMatchObject({ scanned: 27, present: 27, missing: 0, behind: 0, skipped: 0 });
});

test('GIVEN tables with different keys, or a checkpoint of another backfill WHEN a run starts THEN it refuses, saying what differs', async () => {
  const table = uniqueTable('keys');
  await createTables(regions.source, regions.target, table, { targetSortKey: 'sk' });
  await expect(runBackfill(regions.options(table))).rejects.toThrow(
    `tables have different keys: eu-west-1/${table} has (pk S HASH), ap-southeast-2/${table} has (pk S HASH, sk S RANGE)`,
  );
  const other = uniqueTable('other');
  await createTables(regions.source, regions.target, other);
  const path = checkpointPath();
  await runBackfill(regions.options(other, { segments: 2, checkpoint: fileCheckpoint(path) }));
  expect(existsSync(path)).toBe(true);
  await expect(runBackfill(regions.options(other, { segments: 3, checkpoint: fileCheckpoint(path) }))).rejects.toThrow(
    `checkpoint ${path} belongs to another backfill ({"mode":"copy","source":{"region":"eu-west-1","table":"${other}"},"target":{"region":"ap-southeast-2","table":"${other}"},"totalSegments":2}); this run is`,
  );
  await expect(runBackfill(regions.options('missing-table'))).rejects.toThrow(
    /^cannot describe table eu-west-1\/missing-table: ResourceNotFoundException/,
  );
  await expect(runBackfill(regions.options(other, { segments: 0, writeConcurrency: 5000 }))).rejects.toThrow(
    "backfill options are invalid:\n- segments must be an integer 1..1000000 (Scan's TotalSegments range) (got 0)\n- writeConcurrency must be an integer 1..1000 (got 5000)",
  );
});
