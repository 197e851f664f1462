/**
 * The normalized change list both review modes produce: a real plan (`terraform show -json`) and a
 * diff of two synthesized stacks. Everything downstream (warnings, IAM widening, Markdown) reads
 * only this shape, so the two modes render identically and can be compared in tests.
 */

import { Masked } from './sensitive';

export type Action = 'create' | 'update' | 'replace' | 'delete';

/** Order in which actions are listed: the dangerous ones first. */
export const ACTION_ORDER: Action[] = ['replace', 'delete', 'update', 'create'];

/** Marker for a value Terraform only knows after apply. */
export const UNKNOWN = Symbol('known after apply');

export interface AttributeChange {
  /** `a.b[0].c`; list indices kept so the reader can find the element. */
  readonly path: string;
  readonly before: unknown;
  /** `UNKNOWN` when Terraform will only know the value after apply. */
  readonly after: unknown;
  readonly forcesReplacement: boolean;
}

export interface ResourceChange {
  /** Stack (synth output folder) the resource belongs to. */
  readonly stack: string;
  /** Terraform address, e.g. `aws_dynamodb_table.orders`. */
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  /** Changed attributes (updates and replacements only). */
  readonly attributes: AttributeChange[];
  /** Full values before/after, for the checks that need whole documents (IAM, replicas). */
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  /** cdktf construct path of the resource (synth diff only), to say where a fix goes. */
  readonly constructPath?: string;
}

/**
 * What happens to Terraform's state besides (or instead of) a change to the infrastructure:
 * `move` (a `moved` block: same object, new address), `forget` (a `removed` block: the object
 * stays in AWS, Terraform stops managing it), `import` (an existing object is adopted).
 */
export interface StateChange {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly kind: 'move' | 'forget' | 'import';
  /** The address the state entry moves from (`move`). */
  readonly from?: string;
  /** The id the object is imported from (`import`); absent when it is an expression. */
  readonly importId?: string;
}

/** A `prevent_destroy` that changes; only a synth diff sees it (plan JSON carries no lifecycle). */
export interface GuardChange {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly preventDestroy: { readonly before: boolean; readonly after: boolean };
}

export interface ChangeSet {
  /** Where the changes come from; said in the summary so the reader knows how much to trust it. */
  readonly source: 'terraform plan' | 'synth diff';
  readonly changes: ResourceChange[];
  readonly stateChanges?: StateChange[];
  readonly guards?: GuardChange[];
}

/** `a.b[0].c` or `a.b["x"].c` -> `a.b.c`: the form the replace-forcing table and replace_paths are matched in. */
export function pathKey(path: string): string {
  return path.replace(/\[(\d+|"[^"]*")\]/g, '');
}

/** Fields that name the elements of Terraform sets of blocks (attributes, indexes, replicas). */
const ELEMENT_KEYS = ['name', 'region_name'];

/** The field that names every element of both lists, so elements are matched by it, not position. */
export function elementKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  return ELEMENT_KEYS.find((k) => {
    const names = (list: unknown[]) => list.map((x) => (isPlainObject(x) ? x[k] : undefined));
    const ok = (list: unknown[]) => names(list).every((n) => typeof n === 'string') && new Set(names(list)).size === list.length;
    return all.length > 0 && ok(a) && ok(b);
  });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Masked);
}

/** null, undefined, [] and {} all mean "not set" to Terraform's diff. */
function isAbsent(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  if (a instanceof Masked || b instanceof Masked) return a instanceof Masked && b instanceof Masked && a.digest === b.digest;
  if (isAbsent(a) && isAbsent(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

/**
 * Leaf-level differences between two attribute trees. `unknown` mirrors `after` the way
 * `after_unknown` does in a plan: `true` where the value is only known after apply.
 */
export function diffValues(
  before: unknown,
  after: unknown,
  unknown: unknown = undefined,
  path = '',
): { path: string; before: unknown; after: unknown }[] {
  // tags_all is always recomputed from provider default tags; "none -> unknown" there is noise.
  if (unknown === true) return isAbsent(before) && path.split('.').pop() === 'tags_all' ? [] : [{ path, before, after: UNKNOWN }];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: { path: string; before: unknown; after: unknown }[] = [];
    const u = Array.isArray(unknown) ? unknown : [];
    const key = elementKey(before, after);
    if (key) {
      const byName = (list: unknown[]) => new Map(list.map((x, i) => [(x as any)[key] as string, i]));
      const b = byName(before);
      const a = byName(after);
      for (const name of [...new Set([...b.keys(), ...a.keys()])].sort()) {
        const bi = b.get(name);
        const ai = a.get(name);
        out.push(
          ...diffValues(
            bi === undefined ? undefined : before[bi],
            ai === undefined ? undefined : after[ai],
            ai === undefined ? undefined : u[ai],
            `${path}[${JSON.stringify(name)}]`,
          ),
        );
      }
      return out;
    }
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...diffValues(before[i], after[i], u[i], `${path}[${i}]`));
    return out;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const u = isPlainObject(unknown) ? unknown : {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(u)])].sort();
    return keys.flatMap((k) => diffValues(before[k], after[k], u[k], path ? `${path}.${k}` : k));
  }
  return sameValue(before, after) ? [] : [{ path, before, after }];
}

/** Stable order: by action severity, then stack, then address. */
export function sortChanges(changes: ResourceChange[]): ResourceChange[] {
  return [...changes].sort(
    (a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || cmp(a.stack, b.stack) || cmp(a.address, b.address),
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
