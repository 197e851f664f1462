/**
 * The replication contract, property-based, against a model of the ground truth
 * (support/causal-oracle.ts) rather than the versions the writers produce, on DynamoDB Streams.
 *
 * Each history runs over three regions (one real DynamoDB Local each, with real streams) and mixes:
 * puts, updates and deletes through the write helper and without it (plain PutItem, UpdateItem,
 * DeleteItem), including updates of deleted items; application clocks skewed per region by up to
 * ±5 s and jittered per write (same-millisecond writes are common), and replica writers with their
 * own skewed clocks; deliveries of each region's stream in batches of 1..4 records at arbitrary
 * moments, so writes split across batches at every boundary; whole-batch retries after a crash
 * mid-invocation and partial failures (one key throttled), both retried whenever that region is
 * next stepped, which may be after other regions' newer writes have replicated; batches delivered
 * again at any later time, in order (at-least-once) and as the redrive does (out of order).
 *
 * FAKES (no local counterpart): the failure queue is a fake SQS; the event source mapping is played
 * by SteppedMapping (support/mapping.ts); crashes and throttling are injected by SDK middleware.
 *
 * CONVERGENCE_RUNS sets the number of histories (default 500).
 */
import fc from 'fast-check';
import { streamsClient } from '../support/dynamodb-local';
import { StreamReader } from '../support/streams';
import { ContractRun, expectCoverage, history, startContractRun } from './support/contract-histories';
import { REGIONS } from './support/world';

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 500);
// A history takes 0.15 to 0.25 s on 2 cores; a busy machine may take several times that.
const timeoutFor = (runs: number) => Math.max(3_600_000, runs * 1_000);
let run: ContractRun;

beforeAll(async () => {
  run = await startContractRun(async ({ world, streamArns }) => ({
    readers: Object.fromEntries(REGIONS.map((r) => [r, new StreamReader(streamsClient(world.local[r].endpoint, r), streamArns[r], r)])),
  }));
});
afterAll(async () => {
  await run?.stop();
});

test(
  `GIVEN ${RUNS} random histories over three regions (helper and plain writes, skewed clocks, split batches, crashes, partial failures, late and out-of-order re-deliveries) WHEN every stream drains THEN every region holds the same causally maximal, version-greatest write`,
  async () => {
    await fc.assert(
      fc.asyncProperty(history, (h) => run.run(h)),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(run.histories).toBeGreaterThanOrEqual(RUNS);
    expectCoverage(run, 300);
  },
  timeoutFor(RUNS),
);
