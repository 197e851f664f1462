/**
 * `npm run bench`: synth, bundle, replication and end-to-end figures, printed as a table and
 * written to bench/results/latest.json. Benchmarks report; they never assert.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { cpus, totalmem } from 'os';
import { join } from 'path';
import { measureProcess } from './measure';

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
    if (only && only !== extra.name) continue;
    const r = await extra.run();
    results[extra.name] = r.results;
    rows.push(...r.rows);
  }

  const report = { date: new Date().toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version }, results };
  const dir = join(dist, '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  printTable(rows);
  console.log(`\nJSON: bench/results/latest.json`);
}

/** Benchmarks other modules contribute: each returns rows for the table and raw results. */
const EXTRA_BENCHMARKS: { name: string; run(): Promise<{ rows: Row[]; results: unknown }> }[] = [];

function printTable(rows: Row[]): void {
  const header: Row = { benchmark: 'benchmark', figure: 'figure', value: 'value', target: 'target' };
  const all = [header, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((r) => String(r[k] ?? '').length));
  const widths = { benchmark: w('benchmark'), figure: w('figure'), value: w('value'), target: w('target') };
  const line = (r: Row) => `| ${String(r.benchmark).padEnd(widths.benchmark)} | ${String(r.figure).padEnd(widths.figure)} | ${String(r.value).padStart(widths.value)} | ${String(r.target ?? '').padEnd(widths.target)} |`;
  console.log(line(header));
  console.log(`|${'-'.repeat(widths.benchmark + 2)}|${'-'.repeat(widths.figure + 2)}|${'-'.repeat(widths.value + 2)}|${'-'.repeat(widths.target + 2)}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
