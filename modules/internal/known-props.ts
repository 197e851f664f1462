import { IConstruct } from 'constructs';
import { PropsValidator } from './validation';

/**
 * Run-time descriptions of the props interfaces, so a misspelt prop (`batchsize`) is refused
 * instead of silently falling back to a default. TypeScript erases interfaces, so each one is
 * described once here-in-code (prop-shapes/); test/modules/prop-shapes.test.ts reads the
 * interfaces with the TypeScript compiler and checks the descriptions never drift from them.
 */
export interface Shape {
  /** The interface described, e.g. `StreamConsumerProps`. */
  readonly name: string;
  readonly fields: Readonly<Record<string, Field>>;
  /**
   * Deprecated prop names and the names that replace them (`{ table: 'source' }`), accepted side by
   * side until 1.0: exactly one of each pair must be set.
   */
  readonly renamed?: Readonly<Record<string, string>>;
}

/** What is checked inside a field's value, when the value is a plain object (or an array of them). */
export type Nested =
  | { readonly object: Shape }
  | { readonly arrayOf: Shape }
  /** A map with free-form keys whose values are objects of one shape (alarm overrides by alarm key). */
  | { readonly recordOf: Shape }
  /** A union of object shapes (LambdaCode): the alternative sharing most keys with the value is checked. */
  | { readonly oneOf: readonly Shape[] };

export interface Field {
  readonly required: boolean;
  readonly nested?: Nested;
}

type Optional = { readonly required: false; readonly nested?: Nested };
type Required = { readonly required: true; readonly nested?: Nested };

/**
 * Declares the shape of `T`: the compiler demands one field per member of `T` (inherited ones
 * included), no more, and `r` exactly for the members `T` requires.
 */
export function shapeOf<T>(
  name: string,
  fields: { readonly [K in keyof T]-?: object extends Pick<T, K> ? Optional : Required },
  renamed?: { readonly [K in keyof T]?: keyof T & string },
): Shape {
  return { name, fields: fields as Record<string, Field>, ...(renamed ? { renamed: renamed as Record<string, string> } : {}) };
}

/** An optional member, with what to check inside it. */
export function o(nested?: Nested): Optional {
  return nested ? { required: false, nested } : { required: false };
}

/** A required member, with what to check inside it. */
export function r(nested?: Nested): Required {
  return nested ? { required: true, nested } : { required: true };
}

/**
 * Refuses unknown prop names at every nesting level (with the closest known name) and missing
 * required props, all at once. It runs first in a constructor and throws on its own: with a
 * misspelt or missing prop, the value checks that follow would judge defaults the user did not
 * mean, or crash on the missing value.
 *
 * Only plain objects are looked into: tokens (IResolvable), constructs and other class instances
 * are references the library does not own, and maps such as `tags` or `environment` are free-form.
 */
export function checkKnownProps(scope: IConstruct, shape: Shape, props: unknown): void {
  const v = new PropsValidator(scope);
  if (!isPlainObject(props)) v.require(false, `props must be an object of ${shape.name} (got ${String(props)})`);
  else checkObject(v, shape, props, '');
  v.throwIfInvalid();
}

function checkObject(v: PropsValidator, shape: Shape, value: Record<string, unknown>, path: string): void {
  // Deprecated names are accepted but never suggested.
  const known = Object.keys(shape.fields).filter((k) => !(k in (shape.renamed ?? {})));
  for (const key of Object.keys(value)) {
    if (key in shape.fields && Object.hasOwn(shape.fields, key)) continue;
    const near = closest(key, known);
    const hint = near ? `did you mean "${near}"?` : `${shape.name} has ${known.map((k) => `"${k}"`).join(', ')}`;
    v.require(false, `unknown prop "${path}${key}"; ${hint}`);
  }
  for (const [key, field] of Object.entries(shape.fields)) {
    const child = value[key];
    if (child === undefined) {
      if (field.required) v.require(false, `${path}${key} is required by ${shape.name} (got undefined)`);
    } else if (field.nested) {
      checkNested(v, field.nested, child, `${path}${key}`);
    }
  }
  for (const [old, now] of Object.entries(shape.renamed ?? {})) {
    const given = [old, now].filter((k) => value[k] !== undefined);
    if (given.length === 2)
      v.require(false, `${path}${old} and ${path}${now} are one prop (${old} is the deprecated name of ${now}): set ${now} only`);
    else if (given.length === 0) v.require(false, `${path}${now} is required by ${shape.name} (got undefined)`);
  }
}

function checkNested(v: PropsValidator, nested: Nested, value: unknown, path: string): void {
  if ('object' in nested) {
    if (isPlainObject(value)) checkObject(v, nested.object, value, `${path}.`);
  } else if ('arrayOf' in nested) {
    if (Array.isArray(value))
      value.forEach((item, i) => {
        if (isPlainObject(item)) checkObject(v, nested.arrayOf, item, `${path}[${i}].`);
      });
  } else if ('recordOf' in nested) {
    if (isPlainObject(value))
      for (const [key, item] of Object.entries(value)) if (isPlainObject(item)) checkObject(v, nested.recordOf, item, `${path}.${key}.`);
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const overlap = (s: Shape) => keys.filter((k) => k in s.fields).length;
    const best = nested.oneOf.reduce((a, b) => (overlap(b) > overlap(a) ? b : a));
    if (overlap(best) === 0) {
      const forms = nested.oneOf.map((s) => `{ ${Object.keys(s.fields).join(', ')} }`).join(' or ');
      v.require(false, `${path} must be one of ${forms} (got keys ${JSON.stringify(keys)})`);
    } else {
      checkObject(v, best, value, `${path}.`);
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The known name nearest to `name` (case-insensitive edit distance or prefix), when near enough to be a slip. */
function closest(name: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const [a, b] = [name.toLowerCase(), candidate.toLowerCase()];
    // A shortened name (kmsKey for kmsKeyArn) is as likely a slip as a typo.
    const d = a.length >= 3 && (b.startsWith(a) || a.startsWith(b)) ? Math.min(2, editDistance(a, b)) : editDistance(a, b);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
