/**
 * The two packages `npm run pack` writes (scripts/pack-flavours.ts), read back from the real
 * tarballs with `tar`: same files, same API, and the CDK Terrain flavour differs from the cdktf one
 * only in the module specifiers of its imports. test/matrix/ installs and runs them.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { PackedFlavour, packFlavours } from '../../scripts/pack-flavours';

const ROOT = join(__dirname, '..', '..');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

let packed: PackedFlavour[];
const unpacked = new Map<string, string>();
const scratch: string[] = [];

beforeAll(() => {
  scratch.push(mkdtempSync(join(tmpdir(), 'flavours-')));
  packed = packFlavours(scratch[0]);
  for (const p of packed) {
    const dir = mkdtempSync(join(tmpdir(), `${p.name}-`));
    scratch.push(dir);
    execFileSync('tar', ['-xzf', p.tarball, '-C', dir]);
    unpacked.set(p.name, join(dir, 'package'));
  }
}, 120000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const files = (name: string) =>
  execFileSync('find', ['.', '-type', 'f'], { cwd: unpacked.get(name)!, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.slice(2))
    .sort();
const read = (name: string, file: string) => readFileSync(join(unpacked.get(name)!, file), 'utf8');
const manifest = (name: string) => JSON.parse(read(name, 'package.json'));

describe('npm run pack', () => {
  test('GIVEN the build WHEN packed THEN both flavours are tarballs named <package>-<version>.tgz', () => {
    expect(packed.map((p) => p.tarball.split('/').pop())).toEqual([
      `cdktf-dynamodb-streams-${VERSION}.tgz`,
      `cdktn-dynamodb-streams-${VERSION}.tgz`,
    ]);
  });

  test('GIVEN a tarball WHEN listed THEN it holds the compiled library, the write helper, the review CLI, the prebuilt handler bundles and the documents, and nothing else', () => {
    const list = files('cdktf-dynamodb-streams');
    expect(list).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/modules/index.js',
        'dist/modules/index.d.ts',
        'dist/handlers/client.js',
        'dist/handlers/client.d.ts',
        'dist/handlers/consumer.js',
        'dist/handlers/consumer.d.ts',
        'dist/review/cli.js',
        'build/handlers/replicate/index.js',
        'build/handlers/redrive/index.js',
        'build/handlers/backfill-cli/index.js',
      ]),
    );
    // No sources, tests, examples or Lambda-only code other than the prebuilt bundles.
    expect(
      list.filter(
        (f) =>
          !/^(dist\/(modules|handlers|review)\/.*\.(js|d\.ts)|build\/handlers\/[\w-]+\/index\.js|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(
            f,
          ),
      ),
    ).toEqual([]);
    expect(list.filter((f) => /^dist\/handlers\/(replicate|redrive)/.test(f))).toEqual([]);
    // The consumer toolkit decodes records with the replica writer's decoders, and nothing else of common/.
    expect(list.filter((f) => /^dist\/handlers\/common\//.test(f) && f.endsWith('.js'))).toEqual([
      'dist/handlers/common/decode.js',
      'dist/handlers/common/kinesis-record.js',
    ]);
  });

  test('GIVEN the unpacked package WHEN every relative require of its compiled files is resolved by Node THEN each finds a file inside the package', () => {
    const root = unpacked.get('cdktf-dynamodb-streams')!;
    const unresolved: string[] = [];
    for (const file of files('cdktf-dynamodb-streams').filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
      for (const [, spec] of read('cdktf-dynamodb-streams', file).matchAll(/require\("(\.{1,2}\/[^"]*)"\)/g)) {
        try {
          // Node's own resolution (a folder's index.js included), from the requiring file's folder.
          const found = require.resolve(spec, { paths: [dirname(join(root, file))] });
          if (!found.startsWith(root)) unresolved.push(`${file}: ${spec} -> outside the package`);
        } catch {
          unresolved.push(`${file}: ${spec}`);
        }
      }
    }
    expect(unresolved).toEqual([]);
  });

  test('GIVEN both flavours WHEN compared THEN they hold the same files, byte-identical handler bundles, and the same exports', () => {
    expect(files('cdktn-dynamodb-streams')).toEqual(files('cdktf-dynamodb-streams'));
    for (const bundle of ['build/handlers/replicate/index.js', 'build/handlers/redrive/index.js', 'build/handlers/backfill-cli/index.js'])
      expect(read('cdktn-dynamodb-streams', bundle)).toBe(read('cdktf-dynamodb-streams', bundle));
    const shape = (m: any) => ({
      version: m.version,
      main: m.main,
      types: m.types,
      exports: m.exports,
      typesVersions: m.typesVersions,
      engines: m.engines,
      dependencies: m.dependencies,
      license: m.license,
    });
    expect(shape(manifest('cdktn-dynamodb-streams'))).toEqual(shape(manifest('cdktf-dynamodb-streams')));
    expect(manifest('cdktf-dynamodb-streams').dependencies).toEqual({ esbuild: expect.any(String) });
  });

  test('GIVEN each flavour WHEN its manifest is read THEN it declares its framework as ranged peers, the SDK client as an optional peer, and its own review and backfill bins', () => {
    const cdktf = manifest('cdktf-dynamodb-streams');
    const cdktn = manifest('cdktn-dynamodb-streams');
    expect(cdktf.peerDependencies).toEqual({
      cdktf: '^0.21.0',
      constructs: '^10.0.0',
      '@cdktf/provider-aws': '>=20.0.0 <22.0.0',
      '@aws-sdk/client-dynamodb': '^3.0.0',
    });
    expect(cdktn.peerDependencies).toEqual({
      cdktn: '>=0.24.0 <1.0.0',
      constructs: '^10.0.0',
      '@cdktn/provider-aws': '>=25.0.0',
      '@aws-sdk/client-dynamodb': '^3.0.0',
    });
    for (const m of [cdktf, cdktn]) {
      expect(m.peerDependenciesMeta).toEqual({ '@aws-sdk/client-dynamodb': { optional: true } });
      expect(m.bin).toEqual({ [`${m.name}-review`]: 'dist/review/cli.js', [`${m.name}-backfill`]: 'build/handlers/backfill-cli/index.js' });
      for (const field of ['devDependencies', 'scripts', 'private', 'flavours']) expect(m).not.toHaveProperty(field);
    }
    expect(read('cdktf-dynamodb-streams', 'dist/review/cli.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(read('cdktf-dynamodb-streams', 'build/handlers/backfill-cli/index.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  test('GIVEN an unpacked package with no node_modules WHEN its backfill bin runs with bad flags THEN the bundle needs nothing installed and names what is missing', () => {
    const r = spawnSync(
      process.execPath,
      [join(unpacked.get('cdktn-dynamodb-streams')!, 'build/handlers/backfill-cli/index.js'), '--table'],
      { encoding: 'utf8' },
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr: expect.stringContaining('backfill: --source-region is required'),
    });
  });

  test('GIVEN the CDK Terrain flavour WHEN compared line by line with the cdktf one THEN only import specifiers differ, each naming cdktn where the other names cdktf', () => {
    const specifier = /(require\(|from |import\()\s*(["'])([^"']+)\2/;
    const differing: string[] = [];
    let renamed = 0;
    for (const file of files('cdktf-dynamodb-streams').filter((f) => /\.(js|d\.ts)$/.test(f) && f.startsWith('dist/'))) {
      const a = read('cdktf-dynamodb-streams', file).split('\n');
      const b = read('cdktn-dynamodb-streams', file).split('\n');
      expect(b.length).toBe(a.length);
      a.forEach((line, i) => {
        if (line === b[i]) return;
        const match = specifier.exec(line);
        const from = match?.[3];
        const to = specifier.exec(b[i])?.[3];
        const expected = from === 'cdktf' ? 'cdktn' : from?.replace(/^@cdktf\/provider-aws\//, '@cdktn/provider-aws/');
        if (!match || to !== expected || line.replace(match[0], match[0].replace(from!, to!)) !== b[i])
          differing.push(`${file}:${i + 1}: ${line} | ${b[i]}`);
        else renamed++;
      });
      // Nothing in the CDK Terrain flavour still loads the cdktf packages.
      for (const line of b) expect(specifier.exec(line)?.[3] ?? '').not.toMatch(/^(cdktf|@cdktf\/)/);
    }
    expect(differing).toEqual([]);
    expect(renamed).toBeGreaterThan(50);
  });
});
