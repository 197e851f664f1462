/**
 * Bundles a user's Lambda handler entry with esbuild at synth time, behind a content-hash cache.
 *
 * A synth must stay cheap when nothing changed, so each entry has a manifest on disk listing the
 * files the last build read (esbuild's metafile). A warm synth re-hashes those files and, when the
 * key matches, reuses the cached bundle without starting esbuild. Any edit to an input changes the
 * key; a new import can only appear by editing an input, so the manifest cannot miss a file.
 *
 * The returned hash is the hash of the bundle's bytes, not of the sources: a change that does not
 * change the bundle (a comment, formatting) does not make Terraform update the function.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, dirname, join, relative, resolve, sep } from 'path';
import * as esbuild from 'esbuild';
import type { Bundle, BundlingOptions } from '../props/function';
import { directoryEntries } from './zip';

/** The esbuild call, injectable so tests can count real builds (and wrap, not replace, esbuild). */
export type BuildFunction = (
  options: esbuild.BuildOptions & { metafile: true; write: false },
) => esbuild.BuildResult<{ metafile: true; write: false }>;

const CACHE_FORMAT = 1;

/** Manifests whose inputs this process has hashed, with the file stats they had then. */
const verifiedThisProcess = new Map<string, { signature: string; key: string }>();

function statSignature(inputs: string[]): string | undefined {
  try {
    return inputs
      .map((p) => {
        const s = statSync(p);
        return `${p}\0${s.size}\0${s.mtimeMs}\0${s.ino}`;
      })
      .join('\n');
  } catch {
    return undefined;
  }
}

/** Bundles `entry` (a .ts/.js file) into a single CommonJS file for Node, or reuses the cached bundle. */
export function bundleEntry(entry: string, options: BundlingOptions = {}, build: BuildFunction = esbuild.buildSync): Bundle {
  const entryPath = resolve(entry);
  if (!existsSync(entryPath) || !statSync(entryPath).isFile()) {
    throw new Error(`bundling: handler entry ${entryPath} does not exist or is not a file`);
  }
  const settings = normalise(options);
  const settingsJson = JSON.stringify(settings);
  const cacheDir = bundleCacheDir(options);
  const manifestPath = join(cacheDir, 'manifests', `${sha256(`${CACHE_FORMAT}\n${esbuild.version}\n${entryPath}\n${settingsJson}`)}.json`);
  const workDir = dirname(entryPath);

  const cached = readManifest(manifestPath);
  if (cached) {
    // Many consumers of one stack often share an entry: within a process, unchanged file stats
    // stand for unchanged contents, so the inputs are hashed once per synth, not once per consumer.
    const signature = statSignature(cached.inputs);
    const seen = verifiedThisProcess.get(manifestPath);
    const dir = join(cacheDir, 'bundles', cached.key);
    if (seen && signature && seen.signature === signature && seen.key === cached.key && existsSync(join(dir, 'index.js'))) {
      return { dir, hash: cached.hash, fromCache: true };
    }
    const key = inputsKey(workDir, cached.inputs, settingsJson);
    if (key === cached.key && existsSync(join(dir, 'index.js'))) {
      if (signature) verifiedThisProcess.set(manifestPath, { signature, key });
      return { dir, hash: cached.hash, fromCache: true };
    }
  }

  const result = build({
    entryPoints: [entryPath],
    absWorkingDir: workDir,
    outfile: join(workDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: settings.target,
    minify: settings.minify,
    sourcemap: settings.sourceMap ? 'linked' : false,
    external: settings.externalModules,
    define: settings.define,
    charset: 'utf8',
    logLevel: 'silent',
    metafile: true,
    write: false,
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(':')) // virtual modules (plugins, data URLs) have no file to hash
    .map((p) => resolve(workDir, p));
  const key = inputsKey(workDir, inputs, settingsJson);
  if (!key) throw new Error(`bundling: an input of ${entryPath} disappeared while esbuild was bundling it; run synth again`);
  const files = result.outputFiles.map((f) => ({ name: basename(f.path), contents: f.contents }));
  const hash = filesHash(files);
  const dir = join(cacheDir, 'bundles', key);
  if (!existsSync(join(dir, 'index.js'))) {
    // Build in a scratch folder and rename, so a concurrent synth never sees half a bundle.
    mkdirSync(join(cacheDir, 'bundles'), { recursive: true });
    const scratch = mkdtempSync(join(cacheDir, 'bundles', '.tmp-'));
    for (const f of files) writeFileSync(join(scratch, f.name), f.contents);
    try {
      renameSync(scratch, dir);
    } catch (e) {
      rmSync(scratch, { recursive: true, force: true });
      if (!existsSync(join(dir, 'index.js'))) throw e;
    }
  }
  mkdirSync(dirname(manifestPath), { recursive: true });
  writeFileSync(manifestPath, JSON.stringify({ key, hash, inputs }));
  return { dir, hash, fromCache: false };
}

/** sha256 of a directory's relative file names and contents, for prebuilt bundle directories. */
export function directoryHash(dir: string): string {
  return filesHash(directoryEntries(dir).map((e) => ({ name: e.name, contents: e.contents })));
}

function normalise(o: BundlingOptions) {
  return {
    minify: o.minify ?? true,
    sourceMap: o.sourceMap ?? false,
    target: o.target ?? 'node22',
    externalModules: [...(o.externalModules ?? [])].sort(),
    define: Object.fromEntries(Object.entries(o.define ?? {}).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** The cache folder bundles (and their zips) are kept in. */
export function bundleCacheDir(options: Pick<BundlingOptions, 'cacheDir'> = {}): string {
  return resolve(options.cacheDir ?? defaultCacheDir());
}

function defaultCacheDir(): string {
  if (process.env.CDKTF_DDB_STREAMS_CACHE_DIR) return process.env.CDKTF_DDB_STREAMS_CACHE_DIR;
  const modules = join(process.cwd(), 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'cdktf-dynamodb-streams') : join(tmpdir(), 'cdktf-dynamodb-streams-cache');
}

/** Paths are taken relative to the entry's folder so that two checkouts share keys and hashes. */
function inputsKey(workDir: string, inputs: string[], settingsJson: string): string | undefined {
  const h = createHash('sha256').update(`${CACHE_FORMAT}\n${esbuild.version}\n${settingsJson}\n`);
  for (const input of [...inputs].sort()) {
    if (!existsSync(input)) return undefined;
    h.update(`${relative(workDir, input).split(sep).join('/')}\0${sha256(readFileSync(input))}\n`);
  }
  return h.digest('hex');
}

function filesHash(files: { name: string; contents: Uint8Array }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) h.update(`${f.name}\0${sha256(f.contents)}\n`);
  return h.digest('hex');
}

function readManifest(path: string): { key: string; hash: string; inputs: string[] } | undefined {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8'));
    return typeof m.key === 'string' && typeof m.hash === 'string' && Array.isArray(m.inputs) ? m : undefined;
  } catch {
    return undefined;
  }
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
