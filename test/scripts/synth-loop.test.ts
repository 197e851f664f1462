/**
 * The one-second synth loop (scripts/synth.js: esbuild bundles of main.ts and of the packages it
 * imports, run with V8's code cache, no type check) writes exactly what the app writes when run
 * from its TypeScript sources, and notices edits: a changed source is bundled again.
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
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'synth.js')], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    stdio: 'pipe',
  });
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

test('GIVEN synthesized loop bundles WHEN a source of the app is touched THEN the next synth bundles the app again but not the packages, AND an untouched tree reuses both', () => {
  const app = join(ROOT, 'build', 'synth', 'main.js');
  const vendor = join(ROOT, 'build', 'synth', 'vendor.js');
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  const [appBuilt, vendorBuilt] = [statSync(app).mtimeMs, statSync(vendor).mtimeMs];
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  expect([statSync(app).mtimeMs, statSync(vendor).mtimeMs]).toEqual([appBuilt, vendorBuilt]);
  execFileSync('touch', [join(ROOT, 'examples', 'multi-region.ts')]);
  synthLoop(mkdtempSync(join(tmpdir(), 'loop-')));
  expect(statSync(app).mtimeMs).toBeGreaterThan(appBuilt);
  expect(statSync(vendor).mtimeMs).toBe(vendorBuilt);
});
