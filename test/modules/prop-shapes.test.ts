import * as path from 'node:path';
import ts from 'typescript';
import type { Field, Nested, Shape } from '../../modules/internal/known-props';
import { PROP_SHAPES } from '../../modules/internal/prop-shapes';

// The oracle is the TypeScript compiler reading modules/ itself: every props type exported by the
// package root must have a run-time shape whose members (inherited ones included) and required
// flags equal the declared ones, and whose nested shapes are the registered shapes of the members' types.

const ROOT = path.join(__dirname, '../..');
const INDEX = path.join(ROOT, 'modules/index.ts');
const program = ts.createProgram([INDEX], {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Node10,
});
const checker = program.getTypeChecker();
const rootExports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!);

/** Exported types that are outputs or construct interfaces, never passed in as props. */
const NOT_PROPS = new Set(['Bundle', 'RedriveTiming', 'ReplicaRegion', 'IReplicaWriter', 'ChangeSource']);

function exportedObjectTypes(): Map<string, ts.Type> {
  const found = new Map<string, ts.Type>();
  for (const sym of rootExports) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    if (!(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
    if (/^I[A-Z]/.test(sym.name) || NOT_PROPS.has(sym.name)) continue;
    const type = checker.getDeclaredTypeOfSymbol(target);
    const parts = type.isUnion() ? type.types : [type];
    if (parts.every((t) => t.flags & ts.TypeFlags.Object)) found.set(sym.name, type);
  }
  return found;
}

function members(type: ts.Type): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const p of checker.getPropertiesOfType(type)) out[p.name] = !(p.flags & ts.SymbolFlags.Optional);
  return out;
}

function shapeMembers(shape: Shape): Record<string, boolean> {
  return Object.fromEntries(Object.entries(shape.fields).map(([k, f]) => [k, f.required]));
}

const types = exportedObjectTypes();
const registry = PROP_SHAPES as unknown as Record<string, Shape | Shape[]>;

test('the compiler finds the props types (the walk is not empty)', () => {
  expect(types.has('StreamConsumerProps')).toBe(true);
  expect(types.has('GlobalSecondaryIndexProps')).toBe(true);
  expect(types.size).toBeGreaterThan(30);
});

test('every exported props type has a run-time shape, and no shape describes a type that is not exported', () => {
  expect([...types.keys()].sort()).toEqual(Object.keys(registry).sort());
});

describe.each([...types.keys()])('%s', (name) => {
  const type = types.get(name)!;
  const entry = registry[name];

  test('run-time members and required flags equal the declared ones', () => {
    if (Array.isArray(entry)) {
      const declared = (type as ts.UnionType).types.map(members);
      expect(entry.map(shapeMembers)).toEqual(declared);
    } else {
      expect(shapeMembers(entry)).toEqual(members(type));
    }
  });

  test('members typed by another props type are looked into with that type’s shape', () => {
    const shapes = Array.isArray(entry) ? entry : [entry];
    const types_ = Array.isArray(entry) ? (type as ts.UnionType).types : [type];
    shapes.forEach((shape, i) => {
      for (const prop of checker.getPropertiesOfType(types_[i])) {
        const expected = nestedPropsType(checker.getNonNullableType(checker.getTypeOfSymbol(prop)));
        const field: Field = shape.fields[prop.name];
        expect({ prop: prop.name, nested: describeNested(field.nested) }).toEqual({ prop: prop.name, nested: expected });
      }
    });
  });
});

/** Which registered props type a member holds, and how: `object X`, `array X`, `record X`, or none. */
function nestedPropsType(type: ts.Type): string | undefined {
  // Unions of object literals (LambdaCode) are recognised by their alias.
  if (type.aliasSymbol && Array.isArray(registry[type.aliasSymbol.name])) return `oneOf ${type.aliasSymbol.name}`;
  const parts = type.isUnion() ? type.types : [type];
  for (const part of parts) {
    const named = registeredName(part);
    if (named) return `object ${named}`;
    if (checker.isArrayType(part)) {
      const element = registeredName(checker.getTypeArguments(part as ts.TypeReference)[0]);
      if (element) return `array ${element}`;
    }
    const index = part.getStringIndexType?.() ?? undefined;
    const valueOfRecord = index ?? recordValue(part);
    const record = valueOfRecord && registeredName(checker.getNonNullableType(valueOfRecord));
    if (record) return `record ${record}`;
  }
  return undefined;
}

/** Partial<Record<K, V>> over a closed key set: every member has the same registered value type. */
function recordValue(type: ts.Type): ts.Type | undefined {
  if (type.aliasSymbol?.name !== 'Partial' && type.aliasSymbol?.name !== 'Record') return undefined;
  const props = checker.getPropertiesOfType(type);
  return props.length ? checker.getTypeOfSymbol(props[0]) : undefined;
}

function registeredName(type: ts.Type): string | undefined {
  const name = type.aliasSymbol?.name ?? type.getSymbol()?.name;
  if (name && name in registry && !Array.isArray(registry[name])) return name;
  // Omit<>, Pick<> or Partial<> of a props type: matched by members against every shape in use.
  if (!(type.flags & ts.TypeFlags.Object) || checker.isArrayType(type)) return undefined;
  const declared = JSON.stringify(sortKeys(members(type)));
  return allNestedShapes().find((shape) => JSON.stringify(sortKeys(shapeMembers(shape))) === declared)?.name;
}

function allNestedShapes(): Shape[] {
  const seen = new Set<Shape>();
  const visit = (s: Shape) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const f of Object.values(s.fields)) for (const inner of nestedShapes(f.nested)) visit(inner);
  };
  for (const e of Object.values(registry)) for (const s of Array.isArray(e) ? e : [e]) visit(s);
  return [...seen];
}

function nestedShapes(n: Nested | undefined): Shape[] {
  if (!n) return [];
  if ('object' in n) return [n.object];
  if ('arrayOf' in n) return [n.arrayOf];
  if ('recordOf' in n) return [n.recordOf];
  return [...n.oneOf];
}

function describeNested(n: Nested | undefined): string | undefined {
  if (!n) return undefined;
  if ('object' in n) return `object ${n.object.name}`;
  if ('arrayOf' in n) return `array ${n.arrayOf.name}`;
  if ('recordOf' in n) return `record ${n.recordOf.name}`;
  return `oneOf ${n.oneOf[0].name}`;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

describe('renamed props', () => {
  const renamed = Object.entries(registry).flatMap(([name, e]) =>
    (Array.isArray(e) ? e : [e]).flatMap((shape) => Object.entries(shape.renamed ?? {}).map(([old, now]) => ({ name, old, now }))),
  );

  test('the registry knows the deprecated table of StreamConsumerProps and StreamPipelineProps', () => {
    expect(renamed).toEqual(
      expect.arrayContaining([
        { name: 'StreamConsumerProps', old: 'table', now: 'source' },
        { name: 'StreamPipelineProps', old: 'table', now: 'source' },
      ]),
    );
  });

  test.each(renamed)('$name.$old is declared @deprecated in favour of $now, which has the same type', ({ name, old, now }) => {
    const type = types.get(name)!;
    const oldSymbol = checker.getPropertyOfType(type, old)!;
    const nowSymbol = checker.getPropertyOfType(type, now)!;
    const deprecated = oldSymbol.getJsDocTags(checker).find((t) => t.name === 'deprecated');
    expect(ts.displayPartsToString(deprecated?.text)).toContain(`Use \`${now}\``);
    expect(checker.typeToString(checker.getTypeOfSymbol(oldSymbol))).toBe(checker.typeToString(checker.getTypeOfSymbol(nowSymbol)));
  });
});
