/**
 * The layering of modules/ (docs/design.md, "Layout"), read from the import declarations of the
 * source files themselves:
 * - props/ holds public declarations only and imports nothing else of the package;
 * - a file in an internal/ folder is a helper below the constructs: whatever it loads at run time
 *   from outside internal/ is a props/ or error declaration, never a construct module;
 * - the package root exports nothing declared in an internal/ folder;
 * - modules/ imports nothing of handlers/ (it bundles them by path) but handlers/contract.ts, the
 *   one leaf module both sides share (environment variable names, attribute defaults, the mask
 *   value, metric names and dimensions), which itself imports nothing;
 * - examples/ and bench/ use the package only through its public entry point, as a consumer would.
 *
 * And of handlers/ (docs/design.md, "Layout"): one folder per program (replicate/: the replica
 * writer and its backlog drainer; redrive/; backfill/; consumer/, the toolkit behind consumer.ts),
 * common/ for code of more than one program, and the leaves lww.ts and contract.ts:
 * - a program imports its own folder, common/, lww.ts and contract.ts, never another program;
 * - common/ imports no program, and each of its files serves more than one program (else it
 *   belongs to that program's folder);
 * - no file name carries a program's name as a prefix (a folder in disguise), and no handler file
 *   is named like a modules/ file that means something else;
 * - local/ and bench/ import the handlers' entry points, the leaves and common/, no program's internals.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { basename, dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');

interface LocalImport {
  /** Importing file, relative to the repository root. */
  readonly from: string;
  /** Imported file, relative to the repository root (without extension). */
  readonly target: string;
  /** Erased at compile time (`import type`, or only type specifiers). */
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function localImports(file: string): LocalImport[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: LocalImport[] = [];
  source.forEachChild((node) => {
    if (
      !(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) ||
      !node.moduleSpecifier ||
      !ts.isStringLiteral(node.moduleSpecifier)
    )
      return;
    const spec = node.moduleSpecifier.text;
    if (!spec.startsWith('.')) return;
    let typeOnly: boolean;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named?.length && named.every((e) => e.isTypeOnly)));
    } else {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      typeOnly = node.isTypeOnly || (!!named?.length && named.every((e) => e.isTypeOnly));
    }
    found.push({ from: file, target: relative(ROOT, resolve(ROOT, dirname(file), spec)), typeOnly });
  });
  return found;
}

const isInternal = (path: string) => path.split('/').includes('internal');
const CONTRACT = 'handlers/contract';
const isDeclaration = (path: string) => path.startsWith('modules/props/') || path === 'modules/errors' || path === CONTRACT;
const MODULES = sourceFiles('modules').flatMap(localImports);

describe('modules/ layering', () => {
  test('GIVEN props/ WHEN its imports are read THEN it declares public types without importing anything else of the package', () => {
    const outside = MODULES.filter((i) => i.from.startsWith('modules/props/') && !i.target.startsWith('modules/props/'));
    expect(outside).toEqual([]);
  });

  test('GIVEN an internal/ helper WHEN its run-time imports are read THEN none loads a construct module', () => {
    const upward = MODULES.filter((i) => isInternal(i.from) && !i.typeOnly && !isInternal(i.target) && !isDeclaration(i.target));
    expect(upward).toEqual([]);
  });

  test('GIVEN modules/ WHEN its imports are read THEN the only handler module it imports is the contract', () => {
    const fromHandlers = MODULES.filter((i) => i.target.startsWith('handlers/'));
    expect(fromHandlers.filter((i) => i.target !== CONTRACT)).toEqual([]);
    // The contract is in use on the construct side (the writer's environment, at least).
    expect(fromHandlers.map((i) => i.from)).toContain('modules/replication/writer.ts');
  });

  test('GIVEN the contract WHEN its imports are read THEN it imports nothing at all', () => {
    const source = ts.createSourceFile('contract.ts', readFileSync(join(ROOT, `${CONTRACT}.ts`), 'utf8'), ts.ScriptTarget.ES2022, true);
    const imports = source.statements.filter(
      (n) => ts.isImportDeclaration(n) || ts.isImportEqualsDeclaration(n) || (ts.isExportDeclaration(n) && n.moduleSpecifier),
    );
    expect(imports.map((n) => n.getText())).toEqual([]);
    expect(source.text).not.toMatch(/\brequire\(|\bimport\(/);
  });

  test('GIVEN the handlers WHEN their imports are read THEN the writer, redrive and consumer toolkit read the contract', () => {
    const importers = sourceFiles('handlers')
      .flatMap(localImports)
      .filter((i) => i.target === CONTRACT)
      .map((i) => i.from);
    expect(importers).toEqual(
      expect.arrayContaining(['handlers/replicate/config.ts', 'handlers/redrive/config.ts', 'handlers/consumer/change.ts']),
    );
  });

  test('GIVEN the package root WHEN its exports are resolved THEN none is declared in an internal/ folder', () => {
    const program = ts.createProgram([join(ROOT, 'modules/index.ts')], { strict: true, noEmit: true, types: [] });
    const checker = program.getTypeChecker();
    const root = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, 'modules/index.ts'))!)!;
    const exported = checker.getExportsOfModule(root).map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return { name: s.name, file: relative(ROOT, target.declarations![0].getSourceFile().fileName) };
    });
    expect(exported.length).toBeGreaterThan(40);
    expect(exported.filter((e) => isInternal(e.file))).toEqual([]);
    // The internals that an earlier release exported by accident stay out.
    for (const internal of ['ReplicaWriter', 'WRITER_ENV', 'lagDimensions', 'PropsValidator', 'LIMITS'])
      expect(exported.map((e) => e.name)).not.toContain(internal);
  });

  test('GIVEN examples/ and bench/ WHEN their imports are read THEN they use the package only through modules/index.ts', () => {
    const deep = [...sourceFiles('examples'), ...sourceFiles('bench')]
      .flatMap(localImports)
      .filter((i) => i.target.startsWith('modules/') || i.target === 'modules');
    expect(deep.filter((i) => i.target !== 'modules')).toEqual([]);
    expect(deep.length).toBeGreaterThan(0);
  });
});

/** A handlers/ module, as imported (no extension): `handlers/x` may be a file or a folder's index. */
function moduleFile(target: string): string {
  return existsSync(join(ROOT, `${target}.ts`)) ? target : `${target}/index`;
}

const PROGRAMS = ['replicate', 'redrive', 'backfill', 'consumer'] as const;
const LEAVES = ['handlers/contract', 'handlers/lww'];
/** What a handlers/ module belongs to: a program, common, a leaf, or the client entry point. */
function area(module: string): string {
  const [, first] = module.match(/^handlers\/([^/]+)(\/.*)?$/) ?? [];
  // handlers/consumer.ts, the toolkit's entry point, belongs to consumer/ like the folder's files.
  return first ?? 'outside';
}
/** Program entry points: what the bundles, the package exports and the bins start from. */
const ENTRY_POINTS = [
  'handlers/client',
  'handlers/consumer',
  'handlers/replicate/index',
  'handlers/replicate/drain-backlog',
  'handlers/redrive/index',
  'handlers/backfill/index',
];
const HANDLERS = sourceFiles('handlers')
  .flatMap(localImports)
  .map((i) => ({ ...i, target: moduleFile(i.target), fromArea: area(i.from.replace(/\.ts$/, '')) }));

describe('handlers/ layout', () => {
  test('GIVEN handlers/ WHEN listed THEN it holds one folder per program, common/, the entry points and the two leaves, nothing else', () => {
    expect(readdirSync(join(ROOT, 'handlers')).sort()).toEqual(
      ['backfill', 'client.ts', 'consumer', 'consumer.ts', 'contract.ts', 'lww.ts', 'redrive', 'replicate', 'common'].sort(),
    );
    for (const entry of ENTRY_POINTS) expect(existsSync(join(ROOT, `${entry}.ts`))).toBe(true);
  });

  test('GIVEN a program WHEN its imports are read THEN it loads its own folder, common/ and the leaves, never another program', () => {
    const crossing = HANDLERS.filter(
      (i) =>
        (PROGRAMS as readonly string[]).includes(i.fromArea) &&
        ![i.fromArea, 'common'].includes(area(i.target)) &&
        !LEAVES.includes(i.target),
    );
    expect(crossing).toEqual([]);
    // The rule has something to hold: the writer, the redrive and the backfill all use common/.
    for (const program of ['replicate', 'redrive', 'backfill'])
      expect(HANDLERS.some((i) => i.fromArea === program && area(i.target) === 'common')).toBe(true);
  });

  test('GIVEN common/ and the leaves WHEN their imports are read THEN common/ loads no program and lww.ts only the contract', () => {
    expect(HANDLERS.filter((i) => i.fromArea === 'common' && area(i.target) !== 'common' && !LEAVES.includes(i.target))).toEqual([]);
    expect(HANDLERS.filter((i) => i.from === 'handlers/lww.ts').map((i) => i.target)).toEqual(['handlers/contract']);
    expect(HANDLERS.filter((i) => i.from === 'handlers/client.ts' && i.target !== 'handlers/lww' && area(i.target) !== 'common')).toEqual(
      [],
    );
  });

  test('GIVEN each common/ file WHEN the programs that reach it are counted THEN it serves more than one (local/ counts as one)', () => {
    const users = [
      ...HANDLERS,
      ...sourceFiles('local')
        .flatMap(localImports)
        .map((i) => ({ ...i, target: moduleFile(i.target), fromArea: 'local' })),
    ];
    const reach = (file: string, seen = new Set<string>()): Set<string> => {
      const areas = new Set<string>();
      for (const i of users.filter((u) => u.target === file)) {
        const from = i.from.replace(/\.ts$/, '');
        if (i.fromArea !== 'common') areas.add(i.fromArea === 'outside' ? from : i.fromArea);
        else if (!seen.has(from)) for (const a of reach(from, seen.add(from))) areas.add(a);
      }
      return areas;
    };
    const lonely = sourceFiles('handlers/common')
      .map((f) => f.replace(/\.ts$/, ''))
      .map((f) => ({ file: f, programs: [...reach(f)].sort() }))
      .filter((f) => f.programs.length < 2);
    expect(lonely).toEqual([]);
  });

  test('GIVEN handler file names WHEN read THEN none is a folder in disguise or the name of a different modules/ file', () => {
    const handlerFiles = sourceFiles('handlers');
    expect(handlerFiles.filter((f) => PROGRAMS.some((p) => basename(f).startsWith(`${p}-`)))).toEqual([]);
    const moduleNames = new Set(sourceFiles('modules').map((f) => basename(f)));
    // backlog.ts is the backlog table on both sides (the construct that makes it, the code that uses it).
    const clashes = [...new Set(handlerFiles.map((f) => basename(f)))].filter(
      (n) => moduleNames.has(n) && !['index.ts', 'backlog.ts'].includes(n),
    );
    expect(clashes).toEqual([]);
  });

  test('GIVEN local/ and bench/ WHEN their imports of handlers/ are read THEN they use entry points, the leaves and common/, no program internals', () => {
    const used = [...sourceFiles('local'), ...sourceFiles('bench')]
      .flatMap(localImports)
      .filter((i) => i.target.startsWith('handlers/'))
      .map((i) => ({ from: i.from, target: moduleFile(i.target) }));
    expect(used.filter((i) => !ENTRY_POINTS.includes(i.target) && !LEAVES.includes(i.target) && area(i.target) !== 'common')).toEqual([]);
    expect(used.length).toBeGreaterThan(5);
  });
});
