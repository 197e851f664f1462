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
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
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
