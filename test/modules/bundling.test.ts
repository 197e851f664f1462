import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as esbuild from 'esbuild';
import { BuildFunction, bundleEntry, directoryHash } from '../../modules/internal/bundling';

const FIXTURES = join(__dirname, '..', 'support', 'handlers');

function scratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The real esbuild, wrapped so a test can count how many builds actually ran. */
function countingBuild(): { build: BuildFunction; count: () => number } {
  let n = 0;
  return {
    build: (options) => {
      n += 1;
      return esbuild.buildSync(options);
    },
    count: () => n,
  };
}

function loadBundle(dir: string): any {
  const file = join(dir, 'index.js');
  const mod = { exports: {} as any };
  new Function('module', 'exports', 'require', readFileSync(file, 'utf8'))(mod, mod.exports, require);
  return mod.exports;
}

/** A copy of the dependency-free fixture that a test may edit. */
function editableEntry(): string {
  const dir = scratch('entry-');
  cpSync(join(FIXTURES, 'plain'), dir, { recursive: true });
  return join(dir, 'index.ts');
}

describe('bundleEntry', () => {
  test('GIVEN a TypeScript handler importing a local module and a package WHEN bundled THEN one self-contained CommonJS file runs the handler', async () => {
    const bundle = bundleEntry(join(FIXTURES, 'count-changes.ts'), { cacheDir: scratch('cache-') });
    expect(readdirSync(bundle.dir)).toEqual(['index.js']);
    const source = readFileSync(join(bundle.dir, 'index.js'), 'utf8');
    expect(source).not.toMatch(/require\(["']@aws-sdk\/util-dynamodb["']\)/); // the package is inlined
    const { handler } = loadBundle(bundle.dir);
    const record = (seq: string, poison: boolean) => ({
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: seq, NewImage: { pk: { S: seq }, poison: { BOOL: poison } } },
    });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await expect(handler({ Records: [record('1', false), record('2', true)] })).resolves.toEqual({
        batchItemFailures: [{ itemIdentifier: '2' }],
      });
      expect(log).toHaveBeenCalledWith(JSON.stringify({ counts: { INSERT: 2 }, failed: 1 }));
    } finally {
      log.mockRestore();
    }
  });

  test('GIVEN a warm cache WHEN the same entry is bundled again THEN esbuild does not run and the same bundle is returned', () => {
    const cacheDir = scratch('cache-');
    const entry = editableEntry();
    const esb = countingBuild();
    const cold = bundleEntry(entry, { cacheDir }, esb.build);
    const warm = bundleEntry(entry, { cacheDir }, esb.build);
    expect(esb.count()).toBe(1);
    expect([cold.fromCache, warm.fromCache]).toEqual([false, true]);
    expect(warm.dir).toBe(cold.dir);
    expect(warm.hash).toBe(cold.hash);
  });

  test('GIVEN an imported file changed after a build WHEN bundled again THEN esbuild runs and the hash follows the new code', async () => {
    const cacheDir = scratch('cache-');
    const entry = editableEntry();
    const esb = countingBuild();
    const before = bundleEntry(entry, { cacheDir }, esb.build);
    writeFileSync(join(entry, '..', 'greeting.ts'), 'export function greeting(name: string): string {\n  return `bonjour ${name}`;\n}\n');
    const after = bundleEntry(entry, { cacheDir }, esb.build);
    expect(esb.count()).toBe(2);
    expect(after.fromCache).toBe(false);
    expect(after.hash).not.toBe(before.hash);
    await expect(loadBundle(after.dir).handler({ name: 'ana' })).resolves.toBe('bonjour ana');
  });

  test('GIVEN a comment-only edit WHEN bundled again THEN esbuild runs but the bundle hash is unchanged, so Terraform sees no code change', () => {
    const cacheDir = scratch('cache-');
    const entry = editableEntry();
    const esb = countingBuild();
    const before = bundleEntry(entry, { cacheDir }, esb.build);
    writeFileSync(entry, `// a comment that minification drops\n${readFileSync(entry, 'utf8')}`);
    const after = bundleEntry(entry, { cacheDir }, esb.build);
    expect(esb.count()).toBe(2);
    expect(after.hash).toBe(before.hash);
  });

  test('GIVEN two empty caches WHEN the same entry is bundled into each THEN the bytes and hashes are identical', () => {
    const entry = join(FIXTURES, 'count-changes.ts');
    const a = bundleEntry(entry, { cacheDir: scratch('cache-') });
    const b = bundleEntry(entry, { cacheDir: scratch('cache-') });
    expect(a.dir).not.toBe(b.dir);
    expect(a.hash).toBe(b.hash);
    expect(readFileSync(join(a.dir, 'index.js')).equals(readFileSync(join(b.dir, 'index.js')))).toBe(true);
  });

  test('GIVEN different options WHEN bundled THEN each gets its own cache entry and output (source map, no minification)', () => {
    const cacheDir = scratch('cache-');
    const entry = editableEntry();
    const esb = countingBuild();
    const minified = bundleEntry(entry, { cacheDir }, esb.build);
    const mapped = bundleEntry(entry, { cacheDir, sourceMap: true, minify: false }, esb.build);
    expect(esb.count()).toBe(2);
    expect(mapped.hash).not.toBe(minified.hash);
    expect(readdirSync(mapped.dir).sort()).toEqual(['index.js', 'index.js.map']);
    expect(readFileSync(join(mapped.dir, 'index.js'), 'utf8')).toContain('//# sourceMappingURL=index.js.map');
    expect(bundleEntry(entry, { cacheDir, minify: false, sourceMap: true }, esb.build).fromCache).toBe(true);
  });

  test('GIVEN externalModules WHEN bundled THEN those modules are required at run time instead of inlined', () => {
    const bundle = bundleEntry(join(FIXTURES, 'count-changes.ts'), { cacheDir: scratch('cache-'), externalModules: ['@aws-sdk/*'] });
    expect(readFileSync(join(bundle.dir, 'index.js'), 'utf8')).toMatch(/require\(["']@aws-sdk\/util-dynamodb["']\)/);
  });

  test('GIVEN a missing entry WHEN bundled THEN the error names the file', () => {
    const missing = join(tmpdir(), 'no-such-handler.ts');
    expect(() => bundleEntry(missing, { cacheDir: scratch('cache-') })).toThrow(
      `bundling: handler entry ${missing} does not exist or is not a file`,
    );
  });

  test('GIVEN an entry that does not compile WHEN bundled THEN esbuild’s error surfaces and nothing is cached', () => {
    const cacheDir = scratch('cache-');
    const entry = editableEntry();
    writeFileSync(entry, "import { nope } from './missing';\nexport const handler = nope;\n");
    expect(() => bundleEntry(entry, { cacheDir })).toThrow(/Could not resolve "\.\/missing"/);
    expect(existsSync(join(cacheDir, 'manifests'))).toBe(false);
  });
});

describe('directoryHash', () => {
  test('GIVEN two folders WHEN file names or contents differ THEN the hashes differ, and equal folders hash equal', () => {
    const make = (files: Record<string, string>) => {
      const dir = scratch('dir-');
      for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
      return dir;
    };
    const base = directoryHash(make({ 'index.js': 'a', 'b.js': 'b' }));
    expect(directoryHash(make({ 'b.js': 'b', 'index.js': 'a' }))).toBe(base);
    expect(directoryHash(make({ 'index.js': 'a', 'c.js': 'b' }))).not.toBe(base);
    expect(directoryHash(make({ 'index.js': 'a', 'b.js': 'B' }))).not.toBe(base);
  });
});
