/**
 * `npm run bench`: synth, bundle, replication and end-to-end figures, printed as a table and
 * written to bench/results/latest.json. Benchmarks report; they never assert.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';
import { runBackfillBench } from './backfill';
import { runConsumerBenchAlone } from './consumer';
import { runBundleBench } from './bundles';
import { runDecodeBench } from './decode';
import { measureProcess } from './measure';
import { LAG_RATE, runLagBench } from './lag';
import { runPeersBench } from './peers';
import { runReplicationBench } from './replication';
import { runSynthLoopBench } from './synth-loop';

interface Row {
  benchmark: string;
  figure: string;
  value: number | string;
  target?: string;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const dist = join(__dirname, '..');

  if (!only || only === 'synth') {
    const example = measureProcess(join(dist, 'main.js'));
    results.synthExampleApp = example;
    rows.push({ benchmark: 'synth example app (main.ts)', figure: 'median wall ms', value: example.medianWallMs, target: '<= 500' });
    rows.push({ benchmark: 'synth example app (main.ts)', figure: 'peak RSS MiB', value: example.medianPeakRssMiB, target: '<= 150' });
    const many = measureProcess(join(__dirname, 'many-pipelines.js'), ['100']);
    results.synth100Pipelines = many;
    rows.push({ benchmark: 'synth 100 StreamPipelines, one stack', figure: 'median wall ms', value: many.medianWallMs, target: '<= 2000' });
    rows.push({ benchmark: 'synth 100 StreamPipelines, one stack', figure: 'peak RSS MiB', value: many.medianPeakRssMiB });
  }

  for (const extra of EXTRA_BENCHMARKS) {
    if (only ? only !== extra.name : extra.onlyWhenNamed) continue;
    const r = await extra.run();
    results[extra.name] = r.results;
    rows.push(...r.rows);
  }

  const report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    results,
  };
  const dir = join(dist, '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  printTable(rows);
  console.log(`\nJSON: bench/results/latest.json`);
}

/** The benchmarks after synth: each returns rows for the table and its raw results. */
const EXTRA_BENCHMARKS: { name: string; onlyWhenNamed?: boolean; run(): Promise<{ rows: Row[]; results: unknown }> }[] = [
  {
    name: 'synth-loop',
    async run() {
      const r = await runSynthLoopBench();
      const rows: Row[] = [];
      for (const phase of ['warm', 'edit', 'cold'] as const) {
        for (const f of r[phase]) {
          rows.push({
            benchmark: `synth loop, ${phase}: ${f.command}`,
            figure: 'median wall ms',
            value: f.medianWallMs,
            target: phase === 'cold' ? undefined : '<= 1000',
          });
          rows.push({
            benchmark: `synth loop, ${phase}: ${f.command}`,
            figure: 'peak RSS MiB, process (tree)',
            value: `${f.medianPeakProcessRssMiB} (${f.medianPeakTreeRssMiB})`,
            target: phase === 'cold' ? undefined : '<= 150',
          });
        }
      }
      return { results: r, rows };
    },
  },
  {
    name: 'replicated-synth',
    async run() {
      const r = measureProcess(join(__dirname, 'replicated-synth.js'));
      return {
        results: r,
        rows: [
          { benchmark: 'synth ReplicatedTable, 5 regions', figure: 'median wall ms', value: r.medianWallMs },
          { benchmark: 'synth ReplicatedTable, 5 regions', figure: 'peak RSS MiB', value: r.medianPeakRssMiB },
        ],
      };
    },
  },
  {
    name: 'bundles',
    async run() {
      const r: any = await runBundleBench();
      const rows: Row[] = [];
      const plain = r.bundles['dynamodb-client-only (esbuild default)'];
      for (const [name, b] of Object.entries<any>(r.bundles)) {
        rows.push({
          benchmark: `bundle: ${name}`,
          figure: 'bytes',
          value: b.bytes,
          target: name === 'handler replicate' ? '<= 460800' : undefined,
        });
        rows.push({
          benchmark: `bundle: ${name}`,
          figure: 'load + clients ms (x client-only)',
          value: `${b.loadAndClientsMedianMs} (${b.vsClientOnlyDefault}x)`,
          target: name === 'handler replicate' ? `<= 1.1x of ${plain.loadAndClientsMedianMs}` : undefined,
        });
      }
      return { results: r, rows };
    },
  },
  {
    name: 'decode',
    async run() {
      const r = runDecodeBench();
      const rows: Row[] = [];
      for (const source of ['dynamodb', 'kinesis'] as const) {
        const label = source === 'dynamodb' ? 'DynamoDB stream records' : 'Kinesis-for-DynamoDB records';
        rows.push({
          benchmark: `decode 1,000 ${label} (~${r.recordBytes[source]} B each)`,
          figure: 'CPU ms',
          value: r.cpuMsPer1000[source],
        });
        rows.push({
          benchmark: `decode 1,000 ${label}`,
          figure: 'CPU ms with event JSON parse',
          value: r.cpuMsPer1000WithEventParse[source],
        });
        rows.push({
          benchmark: `decode ${label}`,
          figure: 'records / CPU s (x 833/s)',
          value: `${r.recordsPerCpuSecond[source]} (${r.headroomAt50kPerMinute[source]}x)`,
          target: '> 1x',
        });
      }
      return { results: r, rows };
    },
  },
  {
    name: 'consumer',
    async run() {
      const r = runConsumerBenchAlone();
      const rows: Row[] = [];
      for (const source of ['dynamodb', 'kinesis'] as const) {
        const c = r.cpuMsPer1000[source];
        rows.push({
          benchmark: `consumer toolkit, 1,000 ${source === 'dynamodb' ? 'DynamoDB stream' : 'Kinesis'} changes, no idempotency`,
          figure: 'CPU ms: toolkit / hand-written (ratio)',
          value: `${c.toolkit} / ${c.handWritten} (${c.ratio}x)`,
          target: '<= 1.15x',
        });
      }
      for (const source of ['dynamodb', 'kinesis'] as const) {
        const w = r.windowCpuMsPer1000[source];
        rows.push({
          benchmark: `windowHandler, 1,000 ${source === 'dynamodb' ? 'DynamoDB stream' : 'Kinesis'} changes in one window`,
          figure: 'CPU ms: toolkit / hand-written fold (ratio)',
          value: `${w.toolkit} / ${w.handWritten} (${w.ratio}x)`,
        });
      }
      const i = r.idempotencyCallsPerChange;
      rows.push({
        benchmark: 'consumer toolkit idempotency',
        figure: 'DynamoDB calls per change: first / with completionWrite / re-delivered',
        value: `${i.firstDelivery} / ${i.firstDeliveryWithCompletionWrite} / ${i.redelivery}`,
      });
      rows.push({
        benchmark: 'consumer bench',
        figure: 'load average (1, 5, 15 min) at the end',
        value: r.loadAverage.map((l) => l.toFixed(2)).join(', '),
      });
      return { results: r, rows };
    },
  },
  {
    // Installs aws-cdk-lib from the npm registry on first use: run it by name.
    name: 'peers',
    onlyWhenNamed: true,
    async run() {
      const r = await runPeersBench();
      const rows: Row[] = r.figures.map((f) => ({
        benchmark: `peers: ${f.command}`,
        figure: 'median wall ms; peak RSS MiB, process (tree)',
        value: `${f.medianWallMs}; ${f.medianPeakProcessRssMiB} (${f.medianPeakTreeRssMiB})`,
      }));
      for (const [ours, ratio] of Object.entries(r.ratios))
        rows.push({ benchmark: `peers: AWS CDK app / ${ours}`, figure: 'wall time ratio (> 1: ours is faster)', value: ratio });
      return { results: r, rows };
    },
  },
  {
    name: 'lag',
    async run() {
      const r = await runLagBench();
      const rows: Row[] = [];
      for (const [label, l] of [
        ['all timed writes', r.lag],
        ['through the helper', r.lagViaHelper],
        ['without the helper', r.lagWithoutHelper],
      ] as const) {
        rows.push({
          benchmark: `lag to every other region, ${LAG_RATE} writes/s, ${label}`,
          figure: `p50 / p99 ms (n=${l.count})`,
          value: `${l.p50} / ${l.p99}`,
          target: label === 'all timed writes' ? 'p99 < 1000' : undefined,
        });
      }
      return { results: r, rows };
    },
  },
  {
    name: 'replication',
    async run() {
      const r: any = await runReplicationBench();
      const row = (label: string, x: any): Row[] => [
        { benchmark: `replication, ${label}`, figure: 'raw conditional PutItem rec/s', value: x.rawCeilingRecordsPerSec },
        { benchmark: `replication, ${label}`, figure: 'replica writer rec/s', value: x.writerRecordsPerSec },
        { benchmark: `replication, ${label}`, figure: 'writer / raw ceiling', value: x.writerShareOfCeiling, target: '>= 0.85' },
      ];
      const plain: Row[] = [
        {
          benchmark: 'replication, writes without the helper',
          figure: 'extra writes in the source region per write',
          value: r.plainWrites.extraWritesPerPlainWrite,
          target: '1 (the version set in place)',
        },
        {
          benchmark: 'replication, writes without the helper',
          figure: 'state-table reads per batch of 100',
          value: r.plainWrites.stateReadsPerBatch,
        },
      ];
      return {
        results: r,
        rows: [
          ...row(`unique keys, concurrency ${r.concurrency}`, r.uniqueKeys),
          ...row('50% duplicate keys', r.duplicateKeys50pct),
          ...plain,
        ],
      };
    },
  },
  {
    name: 'backfill',
    async run() {
      const r: any = await runBackfillBench();
      const label = `backfill ${r.items} items, ${r.segments} segments, ${r.writeConcurrency} writes in flight`;
      return {
        results: r,
        rows: [
          {
            benchmark: label,
            figure: `items/s copied, no rate limit (median of ${r.unlimited.runs.length})`,
            value: r.unlimited.itemsPerSec,
          },
          {
            benchmark: `backfill ${r.limited.items} items`,
            figure: `items/s copied, --rate ${r.limited.rate}`,
            value: r.limited.itemsPerSec,
            target: `<= ${r.limited.rate}`,
          },
        ],
      };
    },
  },
];

function printTable(rows: Row[]): void {
  const header: Row = { benchmark: 'benchmark', figure: 'figure', value: 'value', target: 'target' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k] ?? '').length));
  const widths = { benchmark: w('benchmark'), figure: w('figure'), value: w('value'), target: w('target') };
  const line = (r: Row) =>
    `| ${String(r.benchmark).padEnd(widths.benchmark)} | ${String(r.figure).padEnd(widths.figure)} | ${String(r.value).padStart(widths.value)} | ${String(r.target ?? '').padEnd(widths.target)} |`;
  console.log(line(header));
  console.log(
    `|${'-'.repeat(widths.benchmark + 2)}|${'-'.repeat(widths.figure + 2)}|${'-'.repeat(widths.value + 2)}|${'-'.repeat(widths.target + 2)}|`,
  );
  for (const r of rows) console.log(line(r));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
