/**
 * `npm run local`: the multi-region example, on one machine, as it would deploy. It synthesizes
 * the example, starts DynamoDB Local (one database per region), applies the stack's tables with
 * terraform and the real provider (the local profile, as test tier 5), runs every event source
 * mapping of the stack with the function bundle Terraform references, writes through the write
 * helper and without it in every writable region (conflicting writes included), then waits for
 * the streams and the writers' backlogs to drain and compares what every region holds, with each
 * other and with what the workload wrote. The writers' backlog drainers run on their schedule,
 * locally every second. With an outage (`--outage us-east-1:20`), that region is taken away after
 * `seconds` of writes, brought back after the outage's seconds, and written to for `seconds` more
 * (local/outage/). Everything it starts is stopped when it ends, however it ends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App } from 'cdktf';
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import { multiRegionStack } from '../../examples/multi-region';
import { dynamoClient } from '../dynamodb-local';
import { OutageFigures, outageFigures } from '../outage/outage-figures';
import { writeThroughOutage } from '../outage/outage-timeline';
import { OutageSpec, startLocalDatabases } from '../outage/region-outage';
import { startLocalSink } from '../sink';
import { applyProfile } from '../synthesized/apply-tables';
import { createTablesDirectly } from '../synthesized/create-tables';
import { LocalDeployment } from '../synthesized/deployment';
import { localProfile, TABLE } from '../synthesized/local-profile';
import { readStack, regionOf, resourcesOf } from '../synthesized/stack';
import { BacklogMonitor, BacklogReading } from './backlog-monitor';
import { compareRegions } from './convergence';
import { LoadGenerator } from './load';
import { RunLog } from './run-log';
import { replicationPlan } from './replication-plan';
import { percentile, VisibilityTracker } from './visibility';

export interface LocalRunOptions {
  /** Seconds of writes. */
  readonly seconds: number;
  /** Writes per second, over all regions. */
  readonly rate: number;
  /** Folder for the synthesized stack, function logs and queue contents. */
  readonly workDir: string;
  /** Receives progress lines; `live` lines replace each other on a terminal. */
  readonly log: RunLog;
  /** Where the run registers how to stop what it started; run it to stop early (Ctrl-C). */
  readonly cleanup?: Cleanup;
  /** Takes a region away mid run and brings it back. */
  readonly outage?: OutageSpec;
  /**
   * How the tables are created: with terraform and the real provider from the local profile (as
   * `npm run local`), or straight through CreateTable (quicker, for tests of what runs on them).
   * @default 'terraform'
   */
  readonly tables?: 'terraform' | 'create-table';
}

/** Stops, in reverse order, what a run started; safe to run twice. */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];

  push(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Stopping one thing must not keep the others running.
      }
    }
  }
}

export interface LagFigures {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

export interface LocalRunResult {
  readonly converged: boolean;
  readonly problems: string[];
  readonly writes: number;
  readonly writeErrors: number;
  readonly items: number;
  readonly parked: number;
  readonly invocations: number;
  /** Mean duration of an invocation, ms (a function's cold start included). */
  readonly meanInvocationMs: number;
  readonly failedInvocations: number;
  readonly reportedFailures: number;
  readonly lag: LagFigures;
  readonly lagViaHelper: LagFigures;
  readonly lagWithoutHelper: LagFigures;
  readonly regions: { writable: string[]; readOnly: string[] };
  /** Mapping settings that bound the lag, as synthesized. */
  readonly mappings: { name: string; batchSize: number; maxBatchingWindowMs: number; parallelizationFactor: number }[];
  readonly phasesMs: Record<string, number>;
  /** Most copies the backlogs held at once, per target region. */
  readonly peakBacklog: Record<string, number>;
  /** What the backlogs held for each target once everything drained (read then). */
  readonly backlogAtEnd: BacklogReading;
  readonly drainerRuns: number;
  readonly failedDrainerRuns: number;
  readonly outage?: OutageFigures;
}

const lagOf = (xs: number[]): LagFigures => ({
  count: xs.length,
  p50: Math.round(percentile(xs, 50)),
  p99: Math.round(percentile(xs, 99)),
});

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const { log } = options;
  const cleanup = options.cleanup ?? new Cleanup();
  const phasesMs: Record<string, number> = {};
  const phase = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const started = Date.now();
    log.line(`${name} ...`);
    const out = await run();
    phasesMs[name] = Date.now() - started;
    log.line(`${name}: done in ${(phasesMs[name] / 1000).toFixed(1)} s`);
    return out;
  };
  try {
    rmSync(options.workDir, { recursive: true, force: true });
    mkdirSync(options.workDir, { recursive: true });
    const stack = await phase('synthesize the multi-region example', () => {
      const app = new App({ outdir: join(options.workDir, 'cdktf.out') });
      multiRegionStack(app, 'multi-region');
      app.synth();
      return readStack(join(options.workDir, 'cdktf.out', 'stacks', 'multi-region'));
    });
    const regions = [...new Set(resourcesOf(stack, TABLE).map(([, t]) => regionOf(stack, t)))];
    const { outage: spec } = options;
    if (spec && !regions.includes(spec.region))
      throw new Error(`--outage names ${spec.region}, which the stack does not deploy to; its regions are ${regions.join(', ')}`);
    const db = await phase(
      `start DynamoDB Local for ${regions.join(', ')}${spec ? ` (${spec.region} in a process of its own, kept on disk)` : ''}`,
      () => startLocalDatabases({ outage: spec, dataDir: join(options.workDir, 'dynamodb') }),
    );
    cleanup.push(() => db.stop());
    if (options.tables === 'create-table') await phase('create the tables (CreateTable)', () => createTablesDirectly(stack, db.endpoint));
    else {
      const applied = await phase('terraform apply of the local profile (tables)', () =>
        applyProfile(localProfile(stack, Object.fromEntries(regions.map((r) => [r, db.endpoint])))),
      );
      cleanup.push(() => rmSync(applied.dir, { recursive: true, force: true }));
    }
    const sink = await startLocalSink({ folder: join(options.workDir, 'queues') });
    cleanup.push(() => sink.stop());

    let invocations = 0;
    let invocationMs = 0;
    let failedInvocations = 0;
    let reportedFailures = 0;
    let drainerRuns = 0;
    let failedDrainerRuns = 0;
    const logFile = log.file(join(options.workDir, 'functions.log'));
    // While a region is down its mapping cannot read its stream: expected, so logged to the file.
    const regionDown = () => db.outage?.downAt !== undefined && db.outage.upAt === undefined;
    const deployment = await phase('start the event source mappings and their functions', () =>
      LocalDeployment.start({
        stack,
        endpoint: db.endpoint,
        sink,
        workDir: options.workDir,
        log: (fn, line) => logFile(`[${fn}] ${line}`),
        listener: {
          invoked: (_, records, result, outcome, ms) => {
            invocations++;
            invocationMs += ms;
            if (!result.ok) failedInvocations++;
            if (outcome.kind === 'partial') reportedFailures += records.length - outcome.failedIndex;
          },
          error: (mapping, message) => (regionDown() ? logFile : log.line)(`${mapping}: ${message}`),
        },
        scheduleListener: {
          ran: (_, result) => {
            drainerRuns++;
            if (!result.ok) failedDrainerRuns++;
          },
        },
      }),
    );
    cleanup.push(() => deployment.stop());
    for (const m of deployment.mappings) log.line(`  ${m.mapping.name} -> ${m.function.definition.name} (${m.table.region})`);
    for (const s of deployment.schedules)
      log.line(`  ${s.schedule.rule} (${s.schedule.scheduleExpression}, locally every second) -> ${s.schedule.functionId}`);

    const [plan, ...others] = replicationPlan(deployment);
    if (!plan) throw new Error('the stack replicates no table: no mapping invokes a replica writer');
    if (others.length) log.line(`(${others.length} more replicated table(s) are running but not written to)`);
    log.line(
      `writable: ${plan.writable.join(', ')}; read-only (no writer reads their stream, so they are not written to): ${Object.keys(plan.readOnly).join(', ') || 'none'}`,
    );
    const clients: Record<string, DynamoDBClient> = Object.fromEntries(
      regions.map((r) => [r, dynamoClient(db.endpoint, r, { maxAttempts: 3 })]),
    );
    cleanup.push(() => {
      for (const c of Object.values(clients)) c.destroy();
    });

    let load: LoadGenerator | undefined;
    const tracker = new VisibilityTracker(
      plan,
      clients,
      (key) => load!.key(key),
      (key) => load!.settled(key),
    );
    load = new LoadGenerator(plan, clients, (w) => tracker.track(w));
    tracker.start();
    cleanup.push(() => tracker.stop());
    const backlog = new BacklogMonitor(plan, clients);
    backlog.start();
    cleanup.push(() => backlog.stop());
    await phase("warm up: one write per writable region, until visible everywhere (the functions' cold starts)", async () => {
      await load!.warmUp();
      await tracker.settle(120_000);
      tracker.reset();
    });

    const lags = () => tracker.lags.map((l) => l.ms);
    const status = () => {
      const l = lagOf(lags());
      const owed = backlog.latest;
      const backlogText = Object.entries(owed.depth)
        .filter(([, n]) => n)
        .map(([r, n]) => `${r} ${n}`)
        .join(', ');
      const outage = db.outage?.downAt
        ? ` | ${db.outage.region} ${db.outage.upAt ? `back ${((Date.now() - db.outage.upAt) / 1000).toFixed(0)} s` : `down ${((Date.now() - db.outage.downAt) / 1000).toFixed(0)} s`}`
        : '';
      return `writes ${load!.counters.writes} | visible everywhere ${l.count}/${l.count + tracker.waiting} | lag p50 ${l.count ? l.p50 : '-'} ms p99 ${l.count ? l.p99 : '-'} ms | invocations ${invocations} (${invocations ? Math.round(invocationMs / invocations) : '-'} ms each) | failures ${failedInvocations + reportedFailures} | parked ${sink.messages.length} | backlog ${backlogText || '0'}${owed.complete ? '' : ' (a backlog unreadable)'}${outage}`;
    };
    const started = Date.now();
    const ticker = setInterval(() => log.live(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${status()}`), 1000);
    cleanup.push(() => clearInterval(ticker));
    let drainedAt: Promise<number | undefined> = Promise.resolve(undefined);
    await phase(
      spec
        ? `write at ${options.rate} writes/s: ${options.seconds} s, then ${spec.region} down ${spec.seconds} s, then ${options.seconds} s`
        : `write for ${options.seconds} s at ${options.rate} writes/s`,
      async () => {
        if (!db.outage) return load!.run(options.rate, () => started + options.seconds * 1000);
        ({ drainedAt } = await writeThroughOutage({
          load: load!,
          outage: db.outage,
          backlog,
          log,
          rate: options.rate,
          seconds: options.seconds,
        }));
      },
    );
    await phase(spec ? "drain every stream and the writers' backlogs" : 'drain every stream', async () => {
      await deployment.drain();
      if (spec || Object.values(backlog.latest.depth).some((n) => n > 0)) {
        await backlog.empty(300_000);
        await deployment.drain();
      }
      await tracker.settle(spec ? 120_000 : 30_000);
    });
    clearInterval(ticker);
    log.line(status());
    const convergence = await phase('compare every region, with each other and with what the workload wrote', () =>
      compareRegions(plan, clients, load!.record),
    );
    const backlogAtEnd = await backlog.readNow();
    const outage =
      db.outage?.downAt && db.outage.upAt
        ? outageFigures({
            region: db.outage.region,
            regions: [...plan.writable, ...Object.keys(plan.readOnly)],
            downAt: db.outage.downAt,
            upAt: db.outage.upAt,
            arrivals: tracker.arrivals(),
            readings: backlog.readings,
            drainedAt: await drainedAt,
          })
        : undefined;
    for (const p of convergence.problems) log.line(`  ${p}`);
    if (load.counters.lastError) log.line(`write errors: ${load.counters.errors} (last: ${load.counters.lastError})`);
    return {
      converged: convergence.converged && load.counters.errors === 0,
      problems: convergence.problems,
      writes: load.counters.writes,
      writeErrors: load.counters.errors,
      items: convergence.items,
      parked: sink.messages.length,
      invocations,
      meanInvocationMs: invocations ? Math.round(invocationMs / invocations) : 0,
      failedInvocations,
      reportedFailures,
      lag: lagOf(lags()),
      lagViaHelper: lagOf(tracker.lags.filter((l) => l.viaHelper).map((l) => l.ms)),
      lagWithoutHelper: lagOf(tracker.lags.filter((l) => !l.viaHelper).map((l) => l.ms)),
      regions: { writable: plan.writable, readOnly: Object.keys(plan.readOnly) },
      mappings: deployment.mappings.map((m) => ({
        name: m.mapping.name,
        batchSize: m.mapping.settings.batchSize,
        maxBatchingWindowMs: m.mapping.settings.maxBatchingWindowMs,
        parallelizationFactor: m.mapping.settings.parallelizationFactor,
      })),
      phasesMs,
      peakBacklog: Object.fromEntries(backlog.targets.map((t) => [t, Math.max(0, ...backlog.readings.map((r) => r.depth[t] ?? 0))])),
      backlogAtEnd,
      drainerRuns,
      failedDrainerRuns,
      outage,
    };
  } finally {
    await cleanup.run();
  }
}
