/**
 * The replication contract on Kinesis Data Streams for DynamoDB: the same histories and the same
 * causal oracle as convergence.test.ts (support/contract-histories.ts), but each region's writer
 * reads its table's changes from a real local Kinesis server (kinesis-local), where AWS documents
 * that they can arrive out of order and more than once. The bridge (test/support/kinesis-bridge.ts)
 * puts each region's DynamoDB Local changes into that region's Kinesis stream in AWS's record
 * format, and this test makes it deliver them as AWS may: every pump shuffled, every third change
 * twice, and one change in five held back for two to four pumps, so an item's changes reach the
 * writer out of order within a batch and across batches, keys' first changes included. Writers'
 * clocks jump past the wait limit now and then, and in one history in four the writers do not wait
 * at all: changes held back then arrive after the writer went ahead without them, and are folded in.
 * The causal oracle is the one convergence.test.ts uses, unchanged.
 *
 * Creation times: DynamoDB Local's are whole minutes, so the bridge is given the time each write
 * was started (microseconds; the writer orders an item's changes by it, as AWS advises); the
 * writers' own records between two writes of a region get the earlier write's time plus their
 * distance in the stream, in microseconds, which keeps every item's changes in their real order.
 *
 * FAKES (no local counterpart): DynamoDB's Kinesis streaming destination (the bridge), the failure
 * queue (a fake SQS), the event source mapping (SteppedMapping), injected crashes and throttling.
 *
 * CONVERGENCE_KINESIS_RUNS sets the number of histories (default 150); CONVERGENCE_SEED replays a
 * run's seed: the bridge's injections are seeded too, so the run replays from its start up to the
 * failure (replaying the failing history alone would not inject the same way). Without it the run
 * uses one fixed seed: the coverage checks below count events that a random seed's 150 histories
 * do not always produce (a CI run under load once saw no writer go ahead), and `npm test` must not
 * fail at random. CONVERGENCE_SEED=random explores new histories. Even then, which
 * changes a pump finds depends on timing, so a failure may not recur: a failing history always
 * prints its streams and deliveries.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { streamsClient } from '../support/dynamodb-local';
import { BridgedChange, DynamoDbToKinesisBridge, inOrder, seededRandom, shuffled, duplicated } from '../support/kinesis-bridge';
import { createKinesisStream, KinesisLocal, startKinesisLocal } from '../support/kinesis-local';
import { KinesisChangeFeed, KinesisShardReader } from '../support/kinesis-reader';
import { ContractRun, expectCoverage, startContractRun } from './support/contract-histories';
import { kinesisHistory } from './support/history-arbitraries';
import { TABLE } from './support/history-writes';
import type { ChangeReader } from './support/mapping';
import { REGIONS } from './support/world';

const RUNS = Number(process.env.CONVERGENCE_KINESIS_RUNS ?? 150);
const DEFAULT_SEED = 20261206;
let run: ContractRun;
let kinesisLocal: KinesisLocal;
let held = 0;
/** Keys whose first change in a region was held back while a later one of theirs went through. */
let splitFirst = 0;

beforeAll(async () => {
  kinesisLocal = await startKinesisLocal();
  run = await startContractRun(async ({ world, streamArns, tableChanges }) => {
    const readers: Record<string, ChangeReader> = {};
    const clocks: Record<string, WriteClock> = {};
    for (const [i, region] of REGIONS.entries()) {
      const kinesis = kinesisLocal.client(region);
      const kinesisStreamName = `${TABLE}-${region}`;
      const streamArn = await createKinesisStream(kinesis, kinesisStreamName, 2);
      const clock = (clocks[region] = new WriteClock());
      const hold = heldBack(2000 + i);
      const bridge = new DynamoDbToKinesisBridge({
        streams: streamsClient(world.local[region].endpoint, region),
        tableStreamArn: streamArns[region],
        tableName: TABLE,
        region,
        kinesis,
        kinesisStreamName,
        precision: 'MICROSECOND',
        creationTimeMs: (r) => clock.microsOf(r) / 1000,
        inject: inOrder(shuffled(1000 + i), duplicated(3), hold.inject),
        // The bridge follows the table stream on the oracle's reads (a copy of each record).
        changes: tableChanges(region),
      });
      const feed = new KinesisChangeFeed(bridge, new KinesisShardReader(kinesis, streamArn, region, { fixedShards: true }));
      readers[region] = { readNew: () => feed.readNew(), holding: () => hold.holding() };
    }
    return {
      readers,
      beforeWrite: (region) => clocks[region].tick(),
      afterWrite: (region, record, started) => clocks[region].anchor(record, started),
      positionOf: (region, seq) => String(clocks[region].microsOfSequence(seq)),
    };
  });
}, 180_000);
afterAll(async () => {
  await run?.stop();
  await kinesisLocal?.stop();
});

test(
  `GIVEN ${RUNS} random histories over three regions, each region's changes read from Kinesis shuffled, duplicated and held back WHEN every stream drains THEN every region holds the same causally maximal, version-greatest write`,
  async () => {
    await fc.assert(
      fc.asyncProperty(kinesisHistory, (h) => run.run(h)),
      {
        numRuns: RUNS,
        endOnFailure: true,
        ...(process.env.CONVERGENCE_SEED === 'random' ? {} : { seed: Number(process.env.CONVERGENCE_SEED ?? DEFAULT_SEED) }),
      },
    );
    expect(run.histories).toBeGreaterThanOrEqual(RUNS);
    expect(held).toBeGreaterThan(0);
    // Writers did see a key's change before an earlier one, and waited for it; some waits ran out
    // (the writer went ahead and the change came later), some keys' first changes came split.
    expect(run.waiting).toBeGreaterThan(0);
    expect(splitFirst).toBeGreaterThan(0);
    expect(run.wentAhead).toBeGreaterThan(0);
    // Late changes that show a settled write's version too low (the case that diverged, folded in by
    // a re-version) come up in some seeds of 150 histories, not all: contract-cases-kinesis.test.ts
    // holds that history deterministically. Here every history, folded or not, must converge.
    expectCoverage(run, 100);
  },
  Math.max(3_600_000, RUNS * 3_000),
); // ~0.5 s a history on 2 cores, several times that when busy

/**
 * When each change of a region was made, in epoch microseconds, strictly increasing along the
 * region's stream (the bridge asks in stream order): an application write at the time it was
 * started (at most when DynamoDB made it), any other record a microsecond after the one before.
 */
class WriteClock {
  private readonly started = new Map<string, number>();
  private readonly micros = new Map<string, number>();
  private last = 0;
  private lastStartedMs = 0;

  /** Waits until the clock has moved past the previous write's millisecond. */
  async tick(): Promise<void> {
    while (Date.now() <= this.lastStartedMs) await new Promise((r) => setTimeout(r, 1));
  }

  anchor(record: DynamoDBRecord, startedMs: number): void {
    this.started.set(record.dynamodb!.SequenceNumber!, startedMs);
    this.lastStartedMs = Math.max(this.lastStartedMs, startedMs);
  }

  microsOf(record: DynamoDBRecord): number {
    return this.microsOfSequence(record.dynamodb!.SequenceNumber!);
  }

  microsOfSequence(seq: string): number {
    let at = this.micros.get(seq);
    if (at === undefined) {
      const started = this.started.get(seq);
      at = Math.max(this.last + 1, started === undefined ? 0 : started * 1000);
      this.micros.set(seq, at);
      this.last = at;
    }
    return at;
  }
}

/**
 * Injection: each change is held back, with probability 1/5, until one of the next two to four
 * pumps (long enough for a history's `later` op to move the writer's clock past its wait limit
 * meanwhile); a pump with nothing new releases everything held (so a stream that has gone quiet
 * drains). Counts the keys whose first change was held while a later one went through.
 */
function heldBack(seed: number): { inject: (changes: BridgedChange[]) => BridgedChange[]; holding: () => boolean } {
  const random = seededRandom(seed);
  let waiting: { change: BridgedChange; pumps: number }[] = [];
  const passed = new Set<string>();
  const keyOf = (c: BridgedChange) => JSON.stringify(c.data.dynamodb.Keys);
  const holding = () => waiting.length > 0;
  const inject = (changes: BridgedChange[]) => {
    const released = waiting.filter((w) => changes.length === 0 || --w.pumps <= 0 || random() < 0.3).map((w) => w.change);
    waiting = waiting.filter((w) => !released.includes(w.change));
    const now = changes.filter((c) => {
      if (random() >= 0.2) return true;
      waiting.push({ change: c, pumps: 2 + Math.floor(random() * 3) });
      held++;
      return false;
    });
    const out = [...released, ...now];
    // A key's first delivery, while a change of it made earlier is still held back.
    for (const c of out) {
      const key = keyOf(c);
      const made = c.data.dynamodb.ApproximateCreationDateTime;
      if (!passed.has(key) && waiting.some((w) => keyOf(w.change) === key && w.change.data.dynamodb.ApproximateCreationDateTime < made))
        splitFirst++;
    }
    for (const c of out) passed.add(keyOf(c));
    return out;
  };
  return { inject, holding };
}
