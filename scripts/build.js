#!/usr/bin/env node
// @ts-check
/**
 * `npm run build`: transpiles the TypeScript sources into dist/ with esbuild, file by file (no type
 * checking: `npm run typecheck` does that, incrementally), then bundles the library's own Lambda
 * handlers into build/handlers/. Every step skips what has not changed since the previous build
 * (fingerprints of the files that went in), so a build with nothing to do costs a few hundred
 * stat calls and starts no esbuild process.
 *
 * Plain JavaScript on purpose: it is what turns the TypeScript into something Node can run.
 * The package's declaration files come from `npm run build:types` (tsc), run by `prepack`.
 * scripts/synth.js uses `bundleApp` and `runBundled` for the one-second synth loop.
 */
const { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('fs');
const { dirname, join, relative } = require('path');

const ROOT = join(__dirname, '..');
const CACHE = join(ROOT, 'build', 'cache');
/** Changes to how files are transpiled must invalidate the stamps: part of each stamp. */
const TRANSPILE_OPTIONS = { format: 'cjs', platform: 'node', target: 'es2022', outbase: '.', logLevel: 'error' };

/**
 * The .ts files that tsconfig.build.json includes (its globs are `dir/**\/*.ts` or plain files),
 * and, as tsc does, every file they import by a relative path (a benchmark may import a test
 * helper).
 */
function sourceFiles() {
  const config = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
  const files = [];
  for (const pattern of config.include) {
    const dir = pattern.replace(/\/\*\*\/\*\.ts$/, '');
    if (dir !== pattern) walk(join(ROOT, dir), files);
    else if (existsSync(join(ROOT, pattern))) files.push(join(ROOT, pattern));
  }
  const all = new Set(files);
  for (const file of all) {
    for (const m of readFileSync(file, 'utf8').matchAll(
      /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm,
    )) {
      const base = join(dirname(file), m[1]);
      const target = [`${base}.ts`, join(base, 'index.ts')].find((c) => existsSync(c));
      if (target && !all.has(target)) all.add(target);
    }
  }
  return [...all].map((f) => relative(ROOT, f)).sort();
}

/** @param {string} dir @param {string[]} out */
function walk(dir, out) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
}

/** @param {string} file relative to ROOT; undefined when it does not exist */
function fingerprint(file) {
  try {
    const s = statSync(join(ROOT, file));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return undefined;
  }
}

/** npm rewrites this file whenever it changes anything under node_modules/. */
const INSTALLED = 'node_modules/.package-lock.json';

/**
 * Fingerprints of the files esbuild read (its metafile inputs). Installed packages count as one
 * file, npm's record of the install, which keeps the check to a few dozen stat calls; plugin
 * namespaces ("ns:path") are generated, not read.
 */
function fingerprints(/** @type {string[]} */ inputs) {
  const own = inputs.filter((f) => !/^[\w-]+:/.test(f) && !f.startsWith('node_modules/'));
  return Object.fromEntries([...own, INSTALLED].map((f) => [f, fingerprint(f)]));
}

/** True when every file recorded in `stamp` still has its fingerprint. */
function unchanged(/** @type {Record<string, string> | undefined} */ stamp) {
  return !!stamp && Object.entries(stamp).every(([f, fp]) => fingerprint(f) === fp);
}

/** @param {string} name */
function readStamp(name) {
  try {
    return JSON.parse(readFileSync(join(CACHE, `${name}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

/** @param {string} name @param {unknown} value */
function writeStamp(name, value) {
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, `${name}.json`), JSON.stringify(value));
}

/** Transpiles the sources that changed since the last build into dist/; returns how many. */
function transpile() {
  const files = sourceFiles();
  const previous = readStamp('transpile');
  const seen = previous?.options === JSON.stringify(TRANSPILE_OPTIONS) ? previous.files : {};
  const now = Object.fromEntries(files.map((f) => [f, fingerprint(f)]));
  const changed = files.filter((f) => seen[f] !== now[f] || !existsSync(join(ROOT, 'dist', f.replace(/\.ts$/, '.js'))));
  if (changed.length) {
    // Loaded only when there is work: requiring esbuild costs more than the check itself.
    require('esbuild').buildSync({ ...TRANSPILE_OPTIONS, absWorkingDir: ROOT, entryPoints: changed, outdir: 'dist' });
    writeStamp('transpile', { options: JSON.stringify(TRANSPILE_OPTIONS), files: now });
  }
  return changed.length;
}

/**
 * Bundles the handlers again only when a file that went into a bundle (its sources and the SDK
 * modules it pulled in) or the bundling script changed, or a bundle is missing. Returns what
 * was rebuilt.
 */
async function bundleHandlers() {
  const stamp = readStamp('handler-bundles');
  const script = fingerprint('scripts/bundle-handlers.ts');
  const fresh = (/** @type {string} */ name) =>
    stamp?.script === script && existsSync(join(ROOT, 'build', 'handlers', name, 'index.js')) && unchanged(stamp.handlers?.[name]);
  if (stamp && Object.keys(stamp.handlers ?? {}).every(fresh) && Object.keys(stamp.handlers ?? {}).length) return [];
  transpile();
  /** @type {{ HANDLER_ENTRIES: Record<string, string>, CLI_ENTRIES: Record<string, string>, bundleEntry(entry: string): Promise<{ code: Uint8Array, inputs: string[] }> }} */
  const bundler = require(join(ROOT, 'dist', 'scripts', 'bundle-handlers.js'));
  const next = { script, handlers: /** @type {Record<string, Record<string, string | undefined>>} */ ({}) };
  const rebuilt = [];
  for (const [name, entry] of Object.entries({ ...bundler.HANDLER_ENTRIES, ...bundler.CLI_ENTRIES })) {
    if (fresh(name)) {
      next.handlers[name] = stamp.handlers[name];
      continue;
    }
    const { code, inputs } = await bundler.bundleEntry(entry);
    const out = join(ROOT, 'build', 'handlers', name, 'index.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
    next.handlers[name] = fingerprints(inputs);
    rebuilt.push(`${name} (${code.length} bytes)`);
  }
  writeStamp('handler-bundles', next);
  return rebuilt;
}

/**
 * The app in two CommonJS bundles: build/synth/<entry>.js holds our sources (the app, the
 * constructs), bundled again when one of them changes; build/synth/vendor.js holds the packages
 * they import (cdktf, constructs, the provider bindings), bundled again only when that list or
 * the install changes. Node resolves and wraps two modules instead of ~450, and V8's code cache
 * of the large vendor bundle survives edits to the app (see runBundled). esbuild itself stays
 * external: it finds its binary relative to its package. Returns both paths.
 */
function bundleApp(/** @type {string} */ entry) {
  const dir = join(ROOT, 'build', 'synth');
  const app = join(dir, entry.replace(/\.ts$/, '.js'));
  const vendor = join(dir, 'vendor.js');
  const stampName = `app-bundle-${entry.replace(/\W/g, '_')}`;
  const stamp = readStamp(stampName);
  const options = JSON.stringify(TRANSPILE_OPTIONS);
  if (stamp?.options === options && existsSync(app) && existsSync(vendor) && unchanged(stamp.inputs) && unchanged(stamp.vendorInputs))
    return { app, vendor };
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    ...TRANSPILE_OPTIONS,
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: app,
    bundle: true,
    packages: 'external',
    metafile: true,
  });
  rmSync(`${app}.v8cache`, { force: true });
  const builtins = new Set(require('module').builtinModules);
  const packages = [
    ...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path))),
  ]
    .filter((p) => p !== 'esbuild' && !builtins.has(p.replace(/^node:/, '')))
    .sort();
  let vendorInputs = stamp?.vendorInputs;
  if (stamp?.packages?.join('\n') !== packages.join('\n') || !existsSync(vendor) || !unchanged(vendorInputs)) {
    const entrySource = `module.exports = {\n${packages.map((p) => `  ${JSON.stringify(p)}: require(${JSON.stringify(p)}),`).join('\n')}\n};\n`;
    const built = esbuild.buildSync({
      ...TRANSPILE_OPTIONS,
      absWorkingDir: ROOT,
      stdin: { contents: entrySource, resolveDir: ROOT, sourcefile: 'vendor-entry.js' },
      outfile: vendor,
      bundle: true,
      external: ['esbuild'],
      metafile: true,
    });
    rmSync(`${vendor}.v8cache`, { force: true });
    vendorInputs = fingerprints(Object.keys(built.metafile.inputs));
  }
  writeStamp(stampName, { options, inputs: fingerprints(Object.keys(result.metafile.inputs)), packages, vendorInputs });
  return { app, vendor };
}

/**
 * Loads a CommonJS bundle as Node would, with V8's code cache: the first run stores the compiled
 * code next to the bundle, later runs skip most parsing and compiling (V8 rejects a cache that
 * does not match the source or the Node version, and a new one is written). `packages` answers
 * the bundle's require() of packages first (the vendor bundle's exports).
 */
function loadBundled(/** @type {string} */ file, /** @type {Record<string, unknown>} */ packages = {}) {
  const Module = require('module');
  const vm = require('vm');
  const cacheFile = `${file}.v8cache`;
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file, undefined);
  mod.filename = file;
  // @ts-expect-error: Node's own lookup paths for a module at `file`
  mod.paths = Module._nodeModulePaths(dirname(file));
  const requireForBundle = (/** @type {string} */ id) => (id in packages ? packages[id] : mod.require(id));
  script.runInThisContext().call(mod.exports, mod.exports, requireForBundle, mod, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) writeFileSync(cacheFile, script.createCachedData());
  return mod.exports;
}

/** Runs the app bundled by bundleApp. */
function runBundled(/** @type {{ app: string, vendor: string }} */ bundles) {
  loadBundled(bundles.app, loadBundled(bundles.vendor));
}

/** @param {{ quiet?: boolean }} [options] */
async function build(options = {}) {
  const transpiled = transpile();
  const bundled = await bundleHandlers();
  if (!options.quiet) {
    console.log(
      `build: ${transpiled ? `transpiled ${transpiled} file(s)` : 'dist/ up to date'}; ${bundled.length ? `bundled ${bundled.join(', ')}` : 'handler bundles up to date'}`,
    );
  }
}

module.exports = { build, bundleHandlers, bundleApp, runBundled };

if (require.main === module) {
  build({ quiet: process.argv.includes('--quiet') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
