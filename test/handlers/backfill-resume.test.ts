/**
 * The backfill library on two DynamoDB Local instances: resuming from a checkpoint after a stop or
 * a failure, the write rate, and throttling. Time is virtual where pacing is checked
 * (support/fake-clock.ts). FAKE failures: throttling and timeouts are injected by SDK middleware on
 * the target client (`watched`), as DynamoDB Local never throttles.
 */
import { ScanCommandInput } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'fs';
import { fileCheckpoint, runBackfill } from '../../handlers/backfill';
import { FakeClock } from './support/fake-clock';
import {
  AP,
  byPk,
  checkpointPath,
  createTables,
  EU,
  seedSource,
  sourceItems,
  stable,
  twoRegionsForTests,
  watched,
} from './support/backfill-tables';
import { scanAll, uniqueTable } from './support/world';

const regions = twoRegionsForTests();

test('GIVEN a run stopped after a few pages WHEN it is started again from its checkpoint THEN it continues each segment where it stopped, scans no page twice, never rescans a finished segment, and every item arrives', async () => {
  const table = uniqueTable('resume');
  await createTables(regions.source, regions.target, table);
  await seedSource(regions.source, table, { versioned: 300, tombstones: 60, unversioned: 40 });
  const path = checkpointPath();
  const scans: { run: number; segment: number; start: string }[] = [];
  let run = 1;
  const scanning = watched(regions.endpoints[EU], EU, (command, input: ScanCommandInput) => {
    if (command === 'ScanCommand') scans.push({ run, segment: input.Segment!, start: stable(input.ExclusiveStartKey ?? null) });
  });
  const stop = new AbortController();
  let pages = 0;
  const first = await runBackfill({
    ...regions.options(table, { segments: 4, scanConcurrency: 2, pageSize: 20, checkpoint: fileCheckpoint(path), signal: stop.signal }),
    source: { region: EU, table, client: scanning },
    onPage: () => {
      if (++pages === 7) stop.abort();
    },
  });
  expect(first).toMatchObject({ status: 'stopped', resumed: false });
  expect(first.segments.done).toBeLessThan(4);
  const saved = JSON.parse(readFileSync(path, 'utf8'));
  expect(saved.totals.scanned).toBe(first.thisRun.scanned);

  run = 2;
  const second = await runBackfill({
    ...regions.options(table, { segments: 4, scanConcurrency: 2, pageSize: 20, checkpoint: fileCheckpoint(path) }),
    source: { region: EU, table, client: scanning },
  });
  expect(second).toMatchObject({ status: 'complete', resumed: true, segments: { total: 4, done: 4 } });
  expect(second.totals).toMatchObject({ scanned: 400, copied: 400, stale: 0, stamped: 40, tombstones: 60 });
  expect(first.thisRun.scanCalls + second.thisRun.scanCalls).toBe(scans.length);

  // No (segment, start key) twice; run 2 starts each segment where run 1 left it.
  const seen = scans.map((s) => `${s.segment} ${s.start}`);
  expect(new Set(seen).size).toBe(seen.length);
  for (const seg of saved.segments) {
    const later = scans.filter((s) => s.run === 2 && s.segment === seg.segment);
    if (seg.done) expect(later).toEqual([]);
    else expect(later[0].start).toBe(stable(seg.lastEvaluatedKey ?? null));
  }
  expect(stable((await scanAll(regions.target, table)).sort(byPk))).toBe(
    stable([...(await sourceItems(regions.source, table)).values()].sort(byPk)),
  );
  scanning.destroy();
});

test('GIVEN a run that fails mid-page (retries exhausted) WHEN run again THEN only the unsaved page is redone and every item arrives', async () => {
  const table = uniqueTable('crash');
  await createTables(regions.source, regions.target, table);
  await seedSource(regions.source, table, { versioned: 100, tombstones: 0, unversioned: 0 });
  const path = checkpointPath();
  let puts = 0;
  const dying = watched(regions.endpoints[AP], AP, (command) => {
    if (command === 'PutItemCommand' && ++puts > 45) throw Object.assign(new Error('connection reset'), { name: 'TimeoutError' });
  });
  const clock = new FakeClock();
  const first = await runBackfill({
    ...regions.options(table, { segments: 1, pageSize: 20, writeConcurrency: 1, maxRetries: 2, checkpoint: fileCheckpoint(path), clock }),
    target: { region: AP, table, client: dying },
  });
  expect(first.status).toBe('failed');
  expect(first.error).toMatch(
    /^copying \{"pk":\{"S":"[^"]+"\}\} to ap-southeast-2\/.* still failed after 2 retries: TimeoutError: connection reset$/,
  );
  expect(first.thisRun).toMatchObject({ pages: 2, retries: 2, copied: 40 });
  const second = await runBackfill(regions.options(table, { segments: 1, pageSize: 20, checkpoint: fileCheckpoint(path) }));
  // The third page's first 5 items had landed: doing them again finds them there.
  expect(second).toMatchObject({ status: 'complete', totals: { scanned: 100, copied: 95, stale: 5 }, thisRun: { pages: 4 } });
  expect((await scanAll(regions.target, table)).length).toBe(100);
  dying.destroy();
});

test('GIVEN a rate of 20 writes/s with a burst of 5 WHEN 60 items are copied THEN the writes go out on the token schedule: 5 at once, then one every 50 ms', async () => {
  const table = uniqueTable('rate');
  await createTables(regions.source, regions.target, table);
  await seedSource(regions.source, table, { versioned: 60, tombstones: 0, unversioned: 0 });
  const clock = new FakeClock(1_000_000);
  const sent: number[] = [];
  const timed = watched(regions.endpoints[AP], AP, (command) => command === 'PutItemCommand' && sent.push(clock.now() - 1_000_000));
  const summary = await runBackfill({
    ...regions.options(table, { segments: 2, scanConcurrency: 2, writeConcurrency: 8, itemsPerSecond: 20, burst: 5, clock }),
    target: { region: AP, table, client: timed },
  });
  expect(summary.totals.copied).toBe(60);
  expect(sent).toEqual([0, 0, 0, 0, 0, ...Array.from({ length: 55 }, (_, i) => (i + 1) * 50)]);
  expect(summary.thisRun.seconds).toBe(2.75);
  timed.destroy();
});

test('GIVEN a target that throttles three writes WHEN backfilled THEN writes back off with doubling delays before going on, and every item still arrives', async () => {
  const table = uniqueTable('throttle');
  await createTables(regions.source, regions.target, table);
  await seedSource(regions.source, table, { versioned: 30, tombstones: 0, unversioned: 0 });
  const clock = new FakeClock();
  let puts = 0;
  const sent: { at: number; throttled: boolean }[] = [];
  const throttling = watched(regions.endpoints[AP], AP, (command) => {
    if (command !== 'PutItemCommand') return;
    const throttled = ++puts >= 10 && puts <= 12;
    sent.push({ at: clock.now(), throttled });
    if (throttled) throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
  });
  const summary = await runBackfill({
    ...regions.options(table, { writeConcurrency: 1, clock, backoff: { baseMs: 100, capMs: 10_000, random: () => 0 } }),
    target: { region: AP, table, client: throttling },
  });
  expect(summary.totals.copied).toBe(30);
  expect(summary.thisRun).toMatchObject({ throttled: 3, retries: 0 });
  expect(clock.sleeps).toEqual([50, 100, 200]);
  const firstThrottle = sent.findIndex((s) => s.throttled);
  expect(sent.slice(firstThrottle).map((s) => s.at)).toEqual([0, 50, 150, ...Array(sent.length - firstThrottle - 3).fill(350)]);
  throttling.destroy();
});
