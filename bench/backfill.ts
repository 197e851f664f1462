/**
 * Backfill throughput: items per second copied from one DynamoDB Local "region" into another by
 * runBackfill: the median of 3 runs over 10,000 items (helper-versioned, a tenth of them
 * tombstones, 2% written before replication, which the warm-up run stamps) with the rate limit
 * off, and one run over 2,000 items with it at 200 writes/s. Each run copies into a fresh target
 * table. The targets have no stream: every stream-enabled table created
 * in one DynamoDB Local slows all its later writes down (measured: 311, 239, 106, 36 conditional
 * puts/s into the 1st..4th table), which is DynamoDB Local's cost, not the backfill's. Reports;
 * never asserts.
 *
 * Standalone: `node dist/bench/backfill.js` (after `npm run build`).
 */
import { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { BackfillOptions, runBackfill } from '../handlers/backfill';
import { replicatedWrites } from '../handlers/client';
import { batchWrite, content } from '../test/handlers/support/backfill-history';
import { dynamoClient, startDynamoDbLocal } from '../test/support/dynamodb-local';
import { createTable } from '../test/support/streams';

const SOURCE = 'eu-west-1';
const TARGET = 'ap-southeast-2';
const ITEMS = 10_000;
/** A smaller table for the rate-limited run, so that it shows the limit without taking minutes. */
const LIMITED_ITEMS = 2_000;
const LIMITED_RATE = 200;
const REPEATS = 3;
const SETTINGS = { segments: 8, scanConcurrency: 4, writeConcurrency: 32 } as const;

async function seed(client: DynamoDBClient, table: string, items: number): Promise<void> {
  await createTable(client, table);
  const lww = replicatedWrites({ region: SOURCE, now: () => 1_700_000_000_000 });
  const requests: WriteRequest[] = [];
  for (let i = 0; i < items; i++) {
    const pk = { S: `item-${i}` };
    const Item =
      i % 50 === 7
        ? { pk, ...content(pk.S, i) }
        : i % 10 === 9
          ? lww.delete({ TableName: table, Key: { pk } }).Item!
          : lww.put({ TableName: table, Item: { pk, ...content(pk.S, i) } }).Item!;
    requests.push({ PutRequest: { Item } });
  }
  await batchWrite(client, table, requests);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runBackfillBench(): Promise<object> {
  const [source, target] = await Promise.all([startDynamoDbLocal(), startDynamoDbLocal()]);
  const src = dynamoClient(source.endpoint, SOURCE, { maxAttempts: 3 });
  const dst = dynamoClient(target.endpoint, TARGET, { maxAttempts: 3 });
  try {
    await seed(src, 'bench-backfill', ITEMS);
    await seed(src, 'bench-backfill-small', LIMITED_ITEMS);
    let tables = 0;
    const copy = async (from: string, items: number, extra: Partial<BackfillOptions>) => {
      const table = `bench-target-${++tables}`;
      await createTable(dst, table);
      const t = process.hrtime.bigint();
      const summary = await runBackfill({
        source: { region: SOURCE, table: from, client: src },
        target: { region: TARGET, table, client: dst },
        ...SETTINGS,
        ...extra,
      });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (summary.status !== 'complete' || summary.totals.copied !== items)
        throw new Error(`backfill bench run did not copy every item: ${JSON.stringify(summary)}`);
      return { ms: Math.round(ms), itemsPerSec: Math.round((items * 1000) / ms), stamped: summary.totals.stamped };
    };
    // The first runs stamp the unversioned items and warm DynamoDB Local's JIT; they are not reported.
    const warmUp = await copy('bench-backfill', ITEMS, { itemsPerSecond: Infinity });
    await copy('bench-backfill-small', LIMITED_ITEMS, { itemsPerSecond: Infinity });
    const runs = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await copy('bench-backfill', ITEMS, { itemsPerSecond: Infinity }));
    // A burst of one, so the whole run is paced (a burst lets its first writes go at once).
    const limited = await copy('bench-backfill-small', LIMITED_ITEMS, { itemsPerSecond: LIMITED_RATE, burst: 1 });
    return {
      items: ITEMS,
      ...SETTINGS,
      warmUp,
      unlimited: { itemsPerSec: median(runs.map((r) => r.itemsPerSec)), runs },
      limited: { items: LIMITED_ITEMS, rate: LIMITED_RATE, ...limited },
    };
  } finally {
    src.destroy();
    dst.destroy();
    await Promise.all([source.stop(), target.stop()]);
  }
}

if (require.main === module) {
  runBackfillBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
