/**
 * The one-second synth loop (scripts/synth.js: esbuild bundle of main.ts, run with V8's code
 * cache, no type check) writes exactly what the app writes when run from its TypeScript sources,
 * and notices edits: a changed source is bundled again.
 */
import { execFileSync } from 'child_process';
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { buildExampleApp } from '../../examples/app';

const ROOT = join(__dirname, '..', '..');

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

function synthLoop(outdir: string): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'synth.js')], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: 'pipe' });
}

test('GIVEN the synth loop WHEN it synthesizes the example app THEN every stack file is byte-identical to the app run from its sources', () => {
  const loop = mkdtempSync(join(tmpdir(), 'loop-'));
  synthLoop(loop);
  const direct = mkdtempSync(join(tmpdir(), 'direct-'));
  buildExampleApp(new App({ outdir: direct })).synth();
  const a = tree(join(loop, 'stacks'));
  const b = tree(join(direct, 'stacks'));
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, bytes] of a) expect({ name, same: bytes === b.get(name) }).toEqual({ name, same: true });
});

test('GIVEN a synthesized loop bundle WHEN a source of the app is touched THEN the next synth bundles again, AND an untouched tree reuses the bundle', () => {
  const bundle = join(ROOT, 'build', 'synth', 'main.js');
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  const first = statSync(bundle).mtimeMs;
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  expect(statSync(bundle).mtimeMs).toBe(first);
  const source = join(ROOT, 'examples', 'multi-region.ts');
  execFileSync('touch', [source]);
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  expect(statSync(bundle).mtimeMs).toBeGreaterThan(first);
});
