/**
 * The replication property test's machinery, shared by its sources (convergence.test.ts on
 * DynamoDB Streams, convergence-kinesis.test.ts on Kinesis Data Streams for DynamoDB): the regions
 * and writers, and the run of one history (history-arbitraries.ts) against the causal oracle
 * (causal-oracle.ts); its writes and final reads are in history-writes.ts. What a source changes is
 * where the mapping reads from (`ChangeFeeds`).
 *
 * FAKES (no local counterpart): the failure queue is a fake SQS; the event source mapping is played
 * by SteppedMapping (mapping.ts); crashes and throttling are injected by SDK middleware.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { replicatedWrites } from '../../../handlers/client';
import type { ClientFactory } from '../../../handlers/common/clients';
import { createReplicateHandler, ReplicateHandler } from '../../../handlers/replicate';
import { createDrainHandler } from '../../../handlers/replicate/drain-backlog';
import { streamsClient } from '../../support/dynamodb-local';
import { createStreamTable, StreamReader } from '../../support/streams';
import { CausalOracle } from './causal-oracle';
import { ChangeReader, CrashSwitch, KeyFault, SteppedMapping } from './mapping';
import { StreamTee, TeeSide } from './stream-tee';
import { backlogTableName, createBacklogTable, createStateTable, stateTableName } from './state-table';
import { localClients, REGIONS, startWorld, World, writerConfig } from './world';

import { History, KEYS, WAIT_JUMP_MS } from './history-arbitraries';
import { attach, itemsOf, TABLE, trace, write } from './history-writes';

/** Where each region's writer reads its changes, and what the feed needs to know of each write. */
export interface ChangeFeeds {
  readonly readers: Record<string, ChangeReader>;
  /** Called before an application write in `region` (e.g. to keep write times apart). */
  beforeWrite?(region: string): Promise<void>;
  /** The stream record an application write produced, and when the write was started. */
  afterWrite?(region: string, record: DynamoDBRecord, startedMs: number): void;
  /** Where the writers place a region's stream record (see CausalOracle). @default its sequence number */
  positionOf?(region: string, sequenceNumber: string): string;
}

export interface ContractRun {
  readonly world: World;
  /** Each region's table stream ARN. */
  readonly streamArns: Record<string, string>;
  readonly crash: CrashSwitch;
  readonly fault: KeyFault;
  readonly totals: Record<
    | 'selfStamped'
    | 'repaired'
    | 'statesSaved'
    | 'stampSuperseded'
    | 'partialFailures'
    | 'replays'
    | 'redrives'
    | 'plainWrites'
    | 'restampedHelperWrites'
    | 'backlogApplied',
    number
  >;
  histories: number;
  /** Kinesis: keys failed to wait for an earlier change (0 on DynamoDB Streams, which keep order). */
  waiting: number;
  /** Kinesis: keys whose changes went ahead without an earlier one after the wait limit. */
  wentAhead: number;
  /** Kinesis: items re-versioned in place because changes that arrived late showed their version too low. */
  reversioned: number;
  /** Runs one history; throws with every contract violation found. */
  run(h: History): Promise<void>;
  stop(): Promise<void>;
}

/** What a source's feeds are built from. */
export interface FeedSources extends Pick<ContractRun, 'world' | 'streamArns'> {
  /**
   * A follower of `region`'s table stream that shares the oracle's reads (support/stream-tee.ts),
   * given its own copy of every record from now on.
   */
  tableChanges(region: string): TeeSide;
}

/** Starts the regions (DynamoDB Local each), the table and state tables, and the writers' clients. */
export async function startContractRun(feedsOf: (sources: FeedSources) => Promise<ChangeFeeds>): Promise<ContractRun> {
  const world = await startWorld(REGIONS);
  const streamArns: Record<string, string> = {};
  const tees: Record<string, StreamTee> = {};
  const oracleReaders: Record<string, TeeSide> = {};
  await Promise.all(
    REGIONS.map(async (r) => {
      streamArns[r] = await createStreamTable(world.ddb[r], TABLE);
      // The oracle reads every table stream itself, whatever the writers read from (on Kinesis,
      // their feed is the bridge's copy of this stream; on DynamoDB Streams, this stream).
      const reader = new StreamReader(streamsClient(world.local[r].endpoint, r), streamArns[r], r, { describeOnlyWhenAShardCloses: true });
      tees[r] = new StreamTee(reader);
      oracleReaders[r] = tees[r].side();
      await createStateTable(world.ddb[r], stateTableName(TABLE));
      await createBacklogTable(world.ddb[r], backlogTableName(TABLE));
    }),
  );
  const crash = new CrashSwitch();
  const fault = new KeyFault();
  const cached = new Map<string, DynamoDBClient>();
  const base = localClients((c) => {
    c.middlewareStack.add((next) => async (args) => (crash.check(), fault.check(args.input as never), next(args)), {
      step: 'initialize',
      name: 'injectedFaults',
    });
    return c;
  }, 1);
  // One warm client per endpoint for every writer of every history, as a warm Lambda container keeps.
  const clients: ClientFactory = {
    ...base,
    dynamo: (t) => cached.get(t.endpoint!) ?? (cached.set(t.endpoint!, base.dynamo(t)), cached.get(t.endpoint!)!),
  };
  const feeds = await feedsOf({ world, streamArns, tableChanges: (r) => tees[r].side(true) });
  const run: ContractRun = {
    world,
    streamArns,
    crash,
    fault,
    totals: {
      selfStamped: 0,
      repaired: 0,
      statesSaved: 0,
      stampSuperseded: 0,
      partialFailures: 0,
      replays: 0,
      redrives: 0,
      plainWrites: 0,
      restampedHelperWrites: 0,
      backlogApplied: 0,
    },
    histories: 0,
    waiting: 0,
    wentAhead: 0,
    reversioned: 0,
    run: (h) => runHistory(run, feeds, oracleReaders, clients, h),
    stop: () => world.stop(),
  };
  return run;
}

/** Checks that a run reached what its histories are meant to exercise (a test that never gets there proves nothing). */
export function expectCoverage(run: ContractRun, minHistories: number): void {
  expect(run.crash.crashes).toBeGreaterThan(0);
  expect(run.fault.injected).toBeGreaterThan(0);
  for (const [k, v] of Object.entries(run.totals)) {
    expect([k, v]).toEqual([k, expect.any(Number)]);
    if (run.histories >= minHistories) expect([k, v > 0]).toEqual([k, true]);
  }
}

async function runHistory(
  run: ContractRun,
  feeds: ChangeFeeds,
  oracleReaders: Record<string, TeeSide>,
  clients: ClientFactory,
  { ops, appSkew, writerSkew, noWait }: History,
): Promise<void> {
  const { world, crash, fault, totals } = run;
  const h = ++run.histories;
  const base = Date.now();
  let jitter = 0;
  const apps = REGIONS.map((r, i) => replicatedWrites({ region: r, now: () => base + appSkew[i] + jitter }));
  const writers: Record<string, ReplicateHandler> = {};
  const jumped = REGIONS.map(() => 0);
  let overridden = 0;
  REGIONS.forEach((r, i) => {
    writers[r] = createReplicateHandler({
      config: writerConfig(world, r, TABLE, { concurrency: 4, ...(noWait ? { kinesisWaitMs: 0 } : {}) }),
      clients,
      now: () => Date.now() + writerSkew[i] + jumped[i],
      onInvocation: (s) => {
        totals.selfStamped += s.selfStamped;
        totals.repaired += s.repaired;
        totals.statesSaved += s.statesSaved;
        totals.stampSuperseded += s.stampSuperseded;
        run.waiting += s.waiting;
        run.wentAhead += s.wentAhead;
        run.reversioned += s.reversioned;
        overridden += s.contentCheckOverridden;
      },
    });
  });
  const mapping = new SteppedMapping(feeds.readers, writers, crash, fault);
  // The scheduled drainer next to each writer: copies a target failed (an injected throttling or
  // crash trips its breaker) wait in the backlog until it runs, a late re-delivery of each.
  const drainers = REGIONS.map((r) => {
    const config = writerConfig(world, r, TABLE);
    return createDrainHandler({ config: { ...config, sourceTable: TABLE, backlogTable: config.backlogTable! }, clients });
  });
  const oracle = new CausalOracle(feeds.positionOf);
  const streams: Record<string, DynamoDBRecord[]> = Object.fromEntries(REGIONS.map((r) => [r, [] as DynamoDBRecord[]]));
  // The oracle reads every stream itself, so it knows which states each write followed. The end of
  // the previous history: its final drain read every stream to the end (see below).
  for (const r of REGIONS) oracleReaders[r].taken();
  const catchUp = async (r: string) => {
    const fresh = await oracleReaders[r].readNew();
    streams[r].push(...fresh);
    return fresh;
  };
  const pk = (key: number) => `h${h}-k${key}`;
  let n = 0;
  for (const op of ops) {
    if (op.t === 'write') {
      jitter = op.jitter;
      const r = REGIONS[op.region];
      await feeds.beforeWrite?.(r);
      const started = Date.now();
      const w = await write(world, op, r, pk(op.key), `h${h}-w${++n}`, apps[op.region], oracle);
      if (w) {
        const record = attach(w, await catchUp(r));
        feeds.afterWrite?.(r, record, started);
      }
    } else if (op.t === 'step') {
      await mapping.step(REGIONS[op.region], {
        max: op.max,
        duplicate: op.duplicate,
        crashAfter: op.crashAfter,
        failKey: op.failKey === undefined ? undefined : pk(op.failKey),
      });
    } else if (op.t === 'later') {
      jumped[op.region] += WAIT_JUMP_MS;
    } else if (await mapping.replay(REGIONS[op.region], op.index, op.redrive)) {
      totals.replays++;
      if (op.redrive) totals.redrives++;
    }
  }
  for (let round = 0; ; round++) {
    await mapping.drain();
    const results = (await Promise.all(drainers.map((d) => d()))).flatMap((r) => Object.values(r));
    totals.backlogApplied += results.reduce((a, r) => a + r.applied, 0);
    if (results.every((r) => r.applied === 0 && r.depth === 0)) break;
    if (round === 20) throw new Error('backlogs not empty after 20 rounds of delivering and draining');
  }
  totals.partialFailures += mapping.partialFailures;
  // The last round delivered everything (every stream read to its end, nothing held back) and the
  // drainers applied nothing after it: no record was written since, so the oracle's side of the
  // reads holds every stream to its end.
  for (const r of REGIONS) streams[r].push(...oracleReaders[r].taken());
  oracle.setStreams(streams);
  const problems: string[] = [];
  if (overridden)
    problems.push(`DynamoDB judged an item's content unequal to the record's image ${overridden} times where the writer found it equal`);
  const keys = Array.from({ length: KEYS }, (_, k) => pk(k));
  const held = await Promise.all(REGIONS.map((r) => itemsOf(world.ddb[r], keys)));
  for (const key of keys) problems.push(...oracle.check(key, Object.fromEntries(REGIONS.map((r, i) => [r, held[i].get(key)]))));
  totals.plainWrites += oracle.writes.filter((w) => w.kind.startsWith('raw')).length;
  totals.restampedHelperWrites += oracle.writes.filter(
    (w) => w.helperVersion !== undefined && oracle.min(w.id).v !== w.helperVersion,
  ).length;
  // Always: deliveries depend on timing, so a failing run may not fail again when replayed.
  if (problems.length) console.log(trace(mapping, streams));
  if (problems.length) throw new Error(`history ${h} broke the contract:\n- ${problems.join('\n- ')}`);
  if (process.env.CONVERGENCE_VERBOSE && h % 50 === 0)
    console.log(JSON.stringify({ h, ...totals, crashes: crash.crashes, injected: fault.injected }));
}
