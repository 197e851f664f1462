/**
 * Writes docs/API.md from the public API's TypeScript declarations and their JSDoc, so that the
 * reference for every construct and prop cannot drift from the code (a test regenerates it and
 * compares). Run: `npm run build && node dist/scripts/api-docs.js`.
 */
import { readFileSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, __dirname.includes('/dist/') ? '../..' : '..');
const ENTRY = join(ROOT, 'modules/index.ts');

function jsDoc(node: ts.Node, source: ts.SourceFile): { text: string; tags: Record<string, string> } {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs?.length) return { text: '', tags: {} };
  const doc = docs[docs.length - 1];
  const text = typeof doc.comment === 'string' ? doc.comment : (ts.getTextOfJSDocComment(doc.comment) ?? '');
  const tags: Record<string, string> = {};
  for (const tag of doc.tags ?? []) {
    const comment = typeof tag.comment === 'string' ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? '');
    tags[tag.tagName.getText(source)] = comment.trim();
  }
  return { text: text.trim(), tags };
}

function oneLine(s: string): string {
  return s
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

const printer = ts.createPrinter({ removeComments: true });

/**
 * A type, parameter or initializer as TypeScript prints it, so the reference does not change when
 * the formatter wraps a long union or array differently.
 */
function code(node: ts.Node | undefined, source: ts.SourceFile): string {
  if (!node) return '';
  // The printer keeps a literal's line breaks and trailing comma; the reference shows it on one line.
  return oneLine(
    printer
      .printNode(ts.EmitHint.Unspecified, node, source)
      .replace(/\[\s+/g, '[')
      .replace(/,\s*\]/g, ']'),
  );
}

/** Renders the exported classes, interfaces, types and constants of one module file. */
function renderFile(file: string, only?: Set<string>): string[] {
  const source = parse(file);
  const out: string[] = [];
  source.forEachChild((node) => {
    const exported = (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
    const names = ts.isVariableStatement(node)
      ? node.declarationList.declarations.map((d) => d.name)
      : [(node as ts.DeclarationStatement).name].filter((n): n is ts.Identifier => !!n && ts.isIdentifier(n));
    if (!exported && !only) return;
    if (only && !names.some((n) => ts.isIdentifier(n) && only.has(n.text))) return;
    if (ts.isClassDeclaration(node) && node.name) {
      const { text, tags } = jsDoc(node, source);
      out.push(`### class \`${node.name.text}\``, '', text || '_(no description)_', '');
      if (tags.example) out.push('```ts', tags.example.trim(), '```', '');
      const members = node.members.filter(
        (m) =>
          (ts.isPropertyDeclaration(m) || ts.isMethodDeclaration(m) || ts.isGetAccessor(m)) &&
          m.name &&
          !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) &&
          !m.name.getText(source).startsWith('_'),
      );
      if (members.length) {
        out.push('| member | type | description |', '|---|---|---|');
        for (const m of members) {
          const name = m.name!.getText(source);
          const type = ts.isMethodDeclaration(m)
            ? `method(${m.parameters.map((p) => code(p, source)).join(', ')})`
            : code((m as ts.PropertyDeclaration).type, source);
          out.push(`| \`${name}\` | \`${type}\` | ${oneLine(jsDoc(m, source).text)} |`);
        }
        out.push('');
      }
    } else if (ts.isInterfaceDeclaration(node)) {
      const { text } = jsDoc(node, source);
      out.push(`### interface \`${node.name.text}\``, '', text || '_(no description)_', '');
      const props = node.members.filter(ts.isPropertySignature);
      if (props.length) {
        out.push('| prop | type | default | description |', '|---|---|---|---|');
        for (const p of props) {
          const doc = jsDoc(p, source);
          const optional = p.questionToken ? '' : ' (required)';
          out.push(
            `| \`${p.name.getText(source)}\`${optional} | \`${code(p.type, source)}\` | ${oneLine(doc.tags.default ?? '')} | ${oneLine(doc.text)} |`,
          );
        }
        out.push('');
      }
    } else if (ts.isTypeAliasDeclaration(node)) {
      out.push(`### type \`${node.name.text}\``, '', `\`${code(node.type, source)}\``, '', jsDoc(node, source).text, '');
    } else if (ts.isVariableStatement(node)) {
      for (const d of node.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || (only && !only.has(d.name.text))) continue;
        out.push(`### const \`${d.name.text}\``, '', `\`${code(d.initializer, source)}\``, '', jsDoc(node, source).text, '');
      }
    }
  });
  return out;
}

/** Parsed with parent pointers, which {@link} tags in comments need to print their names. */
function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** `export { A, B } from './x'` and `export type { ... }` in a file: the source file and the names. */
function reExports(file: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  parse(file).forEachChild((node) => {
    if (!ts.isExportDeclaration(node) || !node.moduleSpecifier || !ts.isStringLiteral(node.moduleSpecifier)) return;
    if (!node.exportClause || !ts.isNamedExports(node.exportClause)) return;
    const from = resolve(join(file, '..'), node.moduleSpecifier.text) + '.ts';
    const names = out.get(from) ?? new Set<string>();
    for (const el of node.exportClause.elements) names.add((el.propertyName ?? el.name).text);
    out.set(from, names);
  });
  return out;
}

export function renderApiDocs(): string {
  const entry = parse(ENTRY);
  // `export * from` files are documented whole; named re-exports only for the names they export.
  const files: string[] = [];
  entry.forEachChild((node) => {
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.exportClause) {
      files.push(resolve(join(ROOT, 'modules'), node.moduleSpecifier.text) + '.ts');
    }
  });
  const lines = ['# API reference', '', '_Generated from the JSDoc in `modules/` by `scripts/api-docs.ts`; do not edit by hand._', ''];
  for (const [from, names] of reExports(ENTRY))
    lines.push(`## \`${relative(ROOT, from)}\` (${[...names].join(', ')})`, '', ...renderFile(from, names));
  for (const file of files) {
    lines.push(`## \`${relative(ROOT, file)}\``, '', ...renderFile(file));
    // Option interfaces that live in modules/internal and are re-exported by this file.
    for (const [from, names] of reExports(file)) lines.push(...renderFile(from, names));
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

if (require.main === module) {
  const path = join(ROOT, 'docs/API.md');
  writeFileSync(path, renderApiDocs());
  console.log(`wrote ${relative(ROOT, path)}`);
}
