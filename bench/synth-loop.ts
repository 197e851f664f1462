/**
 * The synth loop as a user lives it: `npm run synth` and cdktf.json's `app` command, each
 * - warm: nothing changed since the previous synth;
 * - edit: one source file of the app touched (esbuild bundles main.ts again, no type check);
 * - cold: no build caches at all (app bundle, V8 code cache, handler bundles, user-entry bundles),
 *   as after a fresh clone and `npm ci`.
 * Median of 5 (after one warm-up for warm and edit); wall time and peak RSS (largest process,
 * and the whole tree: npm + shell + node).
 */
import { readFileSync, rmSync, utimesSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { median, round } from './measure';
import { measureCommand, TreeSample } from './process-tree';

const ROOT = join(__dirname, '..', '..');
const EDITED_FILE = 'modules/stream-table.ts';

export interface LoopFigures {
  command: string;
  runs: number;
  medianWallMs: number;
  maxWallMs: number;
  medianPeakProcessRssMiB: number;
  medianPeakTreeRssMiB: number;
}

export interface SynthLoopResults {
  commands: Record<string, string>;
  warm: LoopFigures[];
  edit: LoopFigures[];
  cold: LoopFigures[];
}

function summarize(command: string, samples: TreeSample[]): LoopFigures {
  return {
    command,
    runs: samples.length,
    medianWallMs: round(median(samples.map((s) => s.wallMs))),
    maxWallMs: round(Math.max(...samples.map((s) => s.wallMs))),
    medianPeakProcessRssMiB: round(median(samples.map((s) => s.peakProcessRssMiB))),
    medianPeakTreeRssMiB: round(median(samples.map((s) => s.peakTreeRssMiB))),
  };
}

function wipeBuildCaches(): void {
  for (const p of ['build/synth', 'build/cache/app-bundle-main_ts.json', 'build/cache/handler-bundles.json', 'build/handlers'])
    rmSync(join(ROOT, p), { recursive: true, force: true });
}

export async function runSynthLoopBench(runs = 5): Promise<SynthLoopResults> {
  const app = JSON.parse(readFileSync(join(ROOT, 'cdktf.json'), 'utf8')).app as string;
  const commands: Record<string, string[]> = {
    'npm run synth': ['npm', 'run', '--silent', 'synth'],
    [`cdktf.json app (${app})`]: ['sh', '-c', app],
  };
  const out = mkdtempSync(join(tmpdir(), 'synth-loop-'));
  const env = (cache: string) => ({ ...process.env, CDKTF_OUTDIR: join(out, 'cdktf.out'), CDKTF_DDB_STREAMS_CACHE_DIR: cache });
  const warmCache = join(out, 'entry-cache');
  const run = (argv: string[], cache = warmCache) => measureCommand(argv[0], argv.slice(1), { cwd: ROOT, env: env(cache) });
  const results: SynthLoopResults = {
    commands: Object.fromEntries(Object.entries(commands).map(([k, v]) => [k, v.join(' ')])),
    warm: [],
    edit: [],
    cold: [],
  };
  try {
    for (const [name, argv] of Object.entries(commands)) {
      await run(argv);
      const warm: TreeSample[] = [];
      for (let i = 0; i < runs; i++) warm.push(await run(argv));
      results.warm.push(summarize(name, warm));

      const edit: TreeSample[] = [];
      for (let i = 0; i < runs; i++) {
        const now = new Date();
        utimesSync(join(ROOT, EDITED_FILE), now, now);
        edit.push(await run(argv));
      }
      results.edit.push(summarize(name, edit));

      const cold: TreeSample[] = [];
      for (let i = 0; i < runs; i++) {
        wipeBuildCaches();
        cold.push(await run(argv, mkdtempSync(join(out, 'cold-cache-'))));
      }
      results.cold.push(summarize(name, cold));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return results;
}
