/**
 * `npm run pack`: writes one npm package per framework flavour into build/packages/, from the one
 * build in dist/ and build/handlers/ (docs/design.md, "Packaging"):
 *
 * - `cdktf-dynamodb-streams` for CDK for Terraform (cdktf 0.21, @cdktf/provider-aws 20/21);
 * - `cdktn-dynamodb-streams` for CDK Terrain, the community continuation of cdktf: the same
 *   JavaScript and declarations with the module specifiers `cdktf` and `@cdktf/provider-aws/...`
 *   renamed to `cdktn` and `@cdktn/provider-aws/...`. Only specifiers are rewritten (found by
 *   parsing each file), never other text, so both flavours behave identically.
 *
 * Each package holds exactly the compiled files its entry points reach (the constructs, the write
 * helper, the review CLI), the prebuilt handler bundles, README, LICENSE and CHANGELOG. Its
 * manifest is the repository's package.json without the development fields, with the flavour's
 * name, peer dependencies and bin.
 */
import { execFileSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, __dirname.includes(`${join('dist', 'scripts')}`) ? '../..' : '..');

/** What differs between the packages built from the one source. */
export interface Flavour {
  readonly name: string;
  readonly description: string;
  /** Module specifier prefixes to rename in every file, e.g. `{ cdktf: 'cdktn' }`. */
  readonly renames: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
}

interface Manifest {
  name: string;
  version: string;
  description: string;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
  flavours: Record<string, Omit<Flavour, 'name'>>;
  [field: string]: unknown;
}

/** The flavours: the repository's own manifest is the cdktf one; package.json `flavours` adds the others. */
export function flavours(manifest: Manifest = readManifest()): Flavour[] {
  const own: Flavour = { name: manifest.name, description: manifest.description, renames: {}, peerDependencies: manifest.peerDependencies };
  return [own, ...Object.entries(manifest.flavours).map(([name, f]) => ({ name, ...f }))];
}

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
}

/** `spec` with the first matching prefix of `renames` replaced (whole path segments only). */
export function renameSpecifier(spec: string, renames: Readonly<Record<string, string>>): string {
  for (const [from, to] of Object.entries(renames)) {
    if (spec === from || spec.startsWith(`${from}/`)) return to + spec.slice(from.length);
  }
  return spec;
}

/**
 * Every module specifier of a JavaScript or TypeScript file (including .d.ts): `require('x')`,
 * `import(...)`, `import ... from 'x'`, `export ... from 'x'` and `import('x').T` types.
 */
export function moduleSpecifiers(fileName: string, text: string): ts.StringLiteral[] {
  const kind = fileName.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, kind);
  const found: ts.StringLiteral[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword)
        found.push(node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push(node.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file's text with its module specifiers renamed; nothing else changes. */
export function renameModuleSpecifiers(fileName: string, text: string, renames: Readonly<Record<string, string>>): string {
  let out = text;
  // Back to front, so earlier positions stay valid.
  for (const literal of moduleSpecifiers(fileName, text).sort((a, b) => b.getStart() - a.getStart())) {
    const renamed = renameSpecifier(literal.text, renames);
    if (renamed === literal.text) continue;
    const start = literal.getStart() + 1; // inside the quotes
    out = out.slice(0, start) + renamed + out.slice(start + literal.text.length);
  }
  return out;
}

/** The compiled files (relative to the root, .js and .d.ts) that `entries` reach through relative imports. */
export function reachableFiles(entries: string[], root = ROOT): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const specified = queue.pop()!.replace(/\.(js|d\.ts)$/, '');
    // A folder's index, as Node resolves `./prop-shapes` when there is no prop-shapes.js.
    const base =
      !existsSync(join(root, `${specified}.js`)) && existsSync(join(root, specified, 'index.js')) ? join(specified, 'index') : specified;
    for (const file of [`${base}.js`, `${base}.d.ts`]) {
      if (seen.has(file) || !existsSync(join(root, file))) continue;
      seen.add(file);
      for (const literal of moduleSpecifiers(file, readFileSync(join(root, file), 'utf8'))) {
        if (literal.text.startsWith('.')) queue.push(relative(root, resolve(root, dirname(file), literal.text)));
      }
    }
  }
  return [...seen].sort();
}

/** Every file below `dir` (relative to the root). */
function filesBelow(dir: string, root = ROOT): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesBelow(path, root) : [path];
  });
}

/** The manifest of one flavour's package: the repository's, in its order, without development fields. */
function publishedManifest(manifest: Manifest, flavour: Flavour): object {
  const replaced: Record<string, unknown> = {
    name: flavour.name,
    description: flavour.description,
    bin: Object.fromEntries(Object.entries(manifest.bin).map(([command, file]) => [command.replace(manifest.name, flavour.name), file])),
    peerDependencies: flavour.peerDependencies,
  };
  const dropped = new Set(['private', 'flavours', 'devDependencies', 'scripts']);
  return Object.fromEntries(
    Object.entries(manifest)
      .filter(([k]) => !dropped.has(k))
      .map(([k, v]) => [k, k in replaced ? replaced[k] : v]),
  );
}

/** Entry points of the package: the exports (without package.json) and the bin. */
function entryPoints(manifest: Manifest): string[] {
  const targets = Object.values(manifest.exports).flatMap((t) =>
    typeof t === 'string' ? [t] : Object.values(t as Record<string, string>),
  );
  // Bins under build/ are bundles (shipped with build/handlers), not compiled sources.
  return [...targets, ...Object.values(manifest.bin)]
    .filter((t) => !t.endsWith('package.json'))
    .map((t) => t.replace(/^\.\//, ''))
    .filter((t) => !t.startsWith('build/'));
}

const FLAVOUR_NOTES: Record<string, string> = {
  cdktn:
    '> This is the **CDK Terrain** flavour of cdktf-dynamodb-streams: the same constructs, built from the same source, for `cdktn` and `@cdktn/provider-aws`. Where this README imports from `cdktf`, `@cdktf/provider-aws/...` or `cdktf-dynamodb-streams`, use `cdktn`, `@cdktn/provider-aws/...` and `cdktn-dynamodb-streams`.\n\n',
};

/** Writes the package folder of one flavour into `stageDir`; returns the files it holds. */
export function stageFlavour(flavour: Flavour, stageDir: string, manifest: Manifest = readManifest()): string[] {
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  const handlers = filesBelow('build/handlers');
  if (!handlers.length) throw new Error('build/handlers is empty: run `npm run build` first');
  const compiled = reachableFiles(entryPoints(manifest));
  for (const file of compiled) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    mkdirSync(dirname(join(stageDir, file)), { recursive: true });
    writeFileSync(join(stageDir, file), renameModuleSpecifiers(file, text, flavour.renames));
  }
  for (const file of [...handlers, 'LICENSE', 'CHANGELOG.md']) cpSync(join(ROOT, file), join(stageDir, file));
  const framework = Object.values(flavour.renames).find((to) => FLAVOUR_NOTES[to]);
  writeFileSync(join(stageDir, 'README.md'), (framework ? FLAVOUR_NOTES[framework] : '') + readFileSync(join(ROOT, 'README.md'), 'utf8'));
  writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(publishedManifest(manifest, flavour), null, 2)}\n`);
  return [...compiled, ...handlers, 'LICENSE', 'CHANGELOG.md', 'README.md', 'package.json'].sort();
}

export interface PackedFlavour {
  readonly name: string;
  readonly tarball: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  /** Bytes of the files inside. */
  readonly unpackedSize: number;
  readonly entryCount: number;
}

/** Stages and packs every flavour into `outDir` (build/packages by default). */
export function packFlavours(outDir = join(ROOT, 'build', 'packages')): PackedFlavour[] {
  mkdirSync(outDir, { recursive: true });
  return flavours().map((flavour) => {
    const stageDir = join(outDir, '.stage', flavour.name);
    stageFlavour(flavour, stageDir);
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
      cwd: stageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [packed] = JSON.parse(out) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
    return {
      name: flavour.name,
      tarball: join(outDir, packed.filename),
      size: packed.size,
      unpackedSize: packed.unpackedSize,
      entryCount: packed.entryCount,
    };
  });
}

if (require.main === module) {
  for (const p of packFlavours()) {
    console.log(`${relative(process.cwd(), p.tarball)}: ${p.size} bytes packed, ${p.unpackedSize} bytes unpacked, ${p.entryCount} files`);
  }
}
