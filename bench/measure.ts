/**
 * Runs a node script as its own process, as a user's `cdktf synth` would, and measures wall time
 * (spawn to exit, node start-up included) and peak resident memory (the child reports its own
 * maxRSS through a preloaded hook, so no external `time` tool is needed).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface ProcessSample {
  wallMs: number;
  peakRssMiB: number;
}

export interface ProcessStats {
  runs: number;
  medianWallMs: number;
  minWallMs: number;
  maxWallMs: number;
  medianPeakRssMiB: number;
}

const RSS_HOOK = join(__dirname, 'rss-hook.js');

export function runOnce(script: string, args: string[] = [], env: Record<string, string> = {}): ProcessSample {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const rssFile = join(dir, 'rss');
  try {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', RSS_HOOK, script, ...args], {
      env: { ...process.env, CDKTF_OUTDIR: join(dir, 'out'), BENCH_RSS_FILE: rssFile, ...env },
      encoding: 'utf8',
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
    const peakRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    return { wallMs, peakRssMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One warm-up run (fills the bundle cache, as any second synth would find it), then `runs` samples. */
export function measureProcess(script: string, args: string[] = [], runs = 5): ProcessStats {
  runOnce(script, args);
  const samples = Array.from({ length: runs }, () => runOnce(script, args));
  const walls = samples.map((s) => s.wallMs);
  return {
    runs,
    medianWallMs: round(median(walls)),
    minWallMs: round(Math.min(...walls)),
    maxWallMs: round(Math.max(...walls)),
    medianPeakRssMiB: round(median(samples.map((s) => s.peakRssMiB))),
  };
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
