/**
 * Two synths (base branch and head) into the normalized change list, for repositories whose CI
 * has no cloud credentials to plan with. Without a plan we decide replace vs update ourselves
 * (force-new.ts), and follow references the way Terraform does: a replaced resource, or a renewed
 * computed attribute (a table's new stream ARN), makes every argument that references it
 * "known after apply", which replaces the referencing resource if that argument forces it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'fs';
import { basename, join } from 'path';
import {
  Action,
  AttributeChange,
  ChangeSet,
  GuardChange,
  ResourceChange,
  StateChange,
  UNKNOWN,
  diffValues,
  elementKey,
  pathKey,
} from './changes';
import { forcesReplacement, renewedAttributes } from './force-new';
import { maskSynthResource } from './sensitive';

/** Terraform meta-arguments and cdktf metadata: not resource arguments. */
const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', 'count', 'for_each']);
const REFERENCE = /(?<![\w.])([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)\.([a-z_][a-z0-9_]*)/g;

/**
 * Loads synthesized stacks: a `cdk.tf.json` file, a stack folder holding one, or a `cdktf.out`
 * folder (`stacks/<name>/cdk.tf.json`). Returns stack name -> Terraform JSON.
 */
export function loadSynth(path: string): Map<string, any> {
  if (!existsSync(path)) throw new Error(`${path} does not exist (expected cdk.tf.json, a stack folder or a cdktf.out folder)`);
  const stacks = new Map<string, any>();
  const read = (file: string, name: string) => stacks.set(name, JSON.parse(readFileSync(file, 'utf8')));
  if (statSync(path).isFile()) read(path, basename(join(path, '..')));
  else if (existsSync(join(path, 'cdk.tf.json'))) read(join(path, 'cdk.tf.json'), basename(path));
  else if (existsSync(join(path, 'stacks'))) {
    for (const name of readdirSync(join(path, 'stacks')).sort()) {
      const file = join(path, 'stacks', name, 'cdk.tf.json');
      if (existsSync(file)) read(file, name);
    }
  }
  if (stacks.size === 0)
    throw new Error(`${path}: no cdk.tf.json found (looked for the file, <dir>/cdk.tf.json and <dir>/stacks/*/cdk.tf.json)`);
  return stacks;
}

/** Resource arguments without meta-arguments and cdktf's `//` metadata, at every depth. */
function argumentsOf(block: Record<string, unknown>): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== '//') o[k] = strip(x);
      return o;
    }
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block)) if (!META.has(k)) out[k] = strip(v);
  return out;
}

interface SynthResource {
  type: string;
  values: Record<string, unknown>;
  /** cdktf construct path (`//`.metadata.path). */
  path?: string;
  preventDestroy: boolean;
}

function resourcesOf(tf: any): Map<string, SynthResource> {
  const out = new Map<string, SynthResource>();
  const masked = maskSynthResource(tf);
  for (const [type, byName] of Object.entries<any>(tf?.resource ?? {})) {
    for (const [name, block] of Object.entries<any>(byName ?? {}))
      out.set(`${type}.${name}`, {
        type,
        values: masked(type, argumentsOf(block)),
        path: typeof block?.['//']?.metadata?.path === 'string' ? block['//'].metadata.path : undefined,
        preventDestroy: block?.lifecycle?.prevent_destroy === true,
      });
  }
  return out;
}

/** Changed attributes of each resource address: a set of names, or '*' for everything computed. */
type Renewed = Map<string, Set<string> | '*'>;

function isRenewed(renewed: Renewed, address: string, attr: string, head: Map<string, SynthResource>): boolean {
  const r = renewed.get(address);
  if (!r) return false;
  if (r === '*') {
    // A literal argument of a replaced resource is known at plan time (same value, no change).
    const v = head.get(address)?.values[attr];
    return v === undefined || typeof v !== 'string' || v.includes('${');
  }
  return r.has(attr);
}

/** Leaves of `after` whose expression references a renewed attribute: they become unknown. Paths as diffValues names them. */
function unknownByReference(
  after: unknown,
  renewed: Renewed,
  head: Map<string, SynthResource>,
  path = '',
  before: unknown = undefined,
): string[] {
  if (typeof after === 'string') {
    if (!after.includes('${')) return [];
    for (const m of after.matchAll(REFERENCE)) if (isRenewed(renewed, `${m[1]}.${m[2]}`, m[3], head)) return [path];
    return [];
  }
  if (Array.isArray(after)) {
    const key = elementKey(Array.isArray(before) ? before : [], after);
    return after.flatMap((x: any, i) => {
      const label = key ? JSON.stringify(x[key]) : String(i);
      const b = Array.isArray(before) ? (key ? before.find((y: any) => y?.[key] === x[key]) : before[i]) : undefined;
      return unknownByReference(x, renewed, head, `${path}[${label}]`, b);
    });
  }
  if (after && typeof after === 'object') {
    return Object.entries(after).flatMap(([k, x]) => unknownByReference(x, renewed, head, path ? `${path}.${k}` : k, (before as any)?.[k]));
  }
  return [];
}

function stackChanges(stack: string, base: Map<string, SynthResource>, head: Map<string, SynthResource>): ResourceChange[] {
  const addresses = [...new Set([...base.keys(), ...head.keys()])].sort();
  const renewed: Renewed = new Map();
  let result = new Map<string, ResourceChange>();
  // Each pass can only add renewed attributes, so this reaches a fixed point.
  for (let pass = 0; pass <= addresses.length; pass++) {
    result = new Map();
    let grew = false;
    const renew = (address: string, attrs: Set<string> | '*') => {
      const prev = renewed.get(address);
      if (prev === '*') return;
      const next = attrs === '*' ? attrs : new Set([...(prev ?? []), ...attrs]);
      if (!prev || next === '*' || next.size > prev.size) {
        renewed.set(address, next);
        grew = true;
      }
    };
    for (const address of addresses) {
      const b = base.get(address);
      const h = head.get(address);
      const type = (h ?? b)!.type;
      if (!h || !b) {
        const action: Action = h ? 'create' : 'delete';
        result.set(address, {
          stack,
          address,
          type,
          action,
          attributes: [],
          before: b?.values ?? null,
          after: h?.values ?? null,
          ...(h?.path ? { constructPath: h.path } : {}),
        });
        renew(address, '*');
        continue;
      }
      const diffs = diffValues(b.values, h.values);
      const viaReference = unknownByReference(h.values, renewed, head, '', b.values).filter(
        (p) => !diffs.some((d) => d.path === p || p.startsWith(d.path + '.') || p.startsWith(d.path + '[')),
      );
      const all = [...diffs, ...viaReference.map((path) => ({ path, before: valueAt(b.values, path), after: UNKNOWN }))].sort((x, y) =>
        x.path < y.path ? -1 : x.path > y.path ? 1 : 0,
      );
      if (all.length === 0) continue;
      const attributes: AttributeChange[] = all.map((d) => ({ ...d, forcesReplacement: forcesReplacement(type, d.path) }));
      const action: Action = attributes.some((a) => a.forcesReplacement) ? 'replace' : 'update';
      // `after` keeps the expressions: IAM checks compare documents structurally, references included.
      result.set(address, {
        stack,
        address,
        type,
        action,
        attributes,
        before: b.values,
        after: h.values,
        ...(h.path ? { constructPath: h.path } : {}),
      });
      const changedTop = new Set(attributes.map((a) => pathKey(a.path).split('.')[0]));
      renew(
        address,
        action === 'replace'
          ? '*'
          : new Set([
              ...changedTop,
              ...renewedAttributes(
                type,
                attributes.map((a) => a.path),
              ),
            ]),
      );
    }
    if (!grew) break;
  }
  return [...result.values()];
}

/** The value at a diffValues path (`a[0].b`, `a["name"].b`) in a config tree. */
function valueAt(values: unknown, path: string): unknown {
  let v: any = values;
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("[^"]*")\]/g)) {
    if (v == null) return undefined;
    if (m[3] !== undefined) {
      const name = JSON.parse(m[3]);
      const key = Array.isArray(v) ? elementKey(v, v) : undefined;
      v = key ? v.find((x: any) => x[key] === name) : undefined;
    } else v = v[m[1] ?? Number(m[2])];
  }
  return v;
}

/** The changes from `base` to `head`; stacks present on one side only are created or destroyed whole. */
export function changesFromSynths(base: Map<string, any>, head: Map<string, any>): ResourceChange[] {
  return changeSetFromSynths(base, head).changes;
}

/**
 * The change set from `base` to `head`, reading head's `moved`, `removed` and `import` blocks the
 * way Terraform does: a moved resource is compared with its old self (references to its old
 * address included), a `removed` one with `destroy = false` is forgotten, not destroyed, and an
 * imported one is adopted, not created.
 */
export function changeSetFromSynths(base: Map<string, any>, head: Map<string, any>): ChangeSet {
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  const changes: ResourceChange[] = [];
  const stateChanges: StateChange[] = [];
  const guards: GuardChange[] = [];
  for (const stack of stacks) {
    const headTf = head.get(stack) ?? {};
    const h = resourcesOf(headTf);
    const b = alignMoves(stack, resourcesOf(base.get(stack) ?? {}), h, headTf, stateChanges);
    for (const r of blocks(headTf.removed)) {
      const from = String(r.from ?? '');
      if (blocks(r.lifecycle)[0]?.destroy !== false || !b.has(from) || h.has(from)) continue;
      stateChanges.push({ stack, address: from, type: b.get(from)!.type, kind: 'forget' });
      b.delete(from);
    }
    for (const i of blocks(headTf.import)) {
      const to = String(i.to ?? '');
      if (b.has(to) || !h.has(to)) continue;
      const id = typeof i.id === 'string' && !i.id.includes('${') ? i.id : undefined;
      stateChanges.push({ stack, address: to, type: h.get(to)!.type, kind: 'import', ...(id ? { importId: id } : {}) });
      // Adopted: compared with itself, so only what references it can change, never "create".
      b.set(to, h.get(to)!);
    }
    for (const [address, r] of b)
      if (r.preventDestroy && !h.get(address)?.preventDestroy)
        guards.push({ stack, address, type: r.type, preventDestroy: { before: true, after: false } });
    changes.push(...stackChanges(stack, b, h));
  }
  return { source: 'synth diff', changes, stateChanges, guards };
}

const blocks = (v: unknown): any[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []);

/**
 * Base resources keyed by their head address: each `moved { from, to }` whose `from` exists in
 * base (and `to` does not) makes base's `from` the prior self of `to`, and every reference to
 * `from` in base now reads `to`, so only real differences remain.
 */
function alignMoves(
  stack: string,
  base: Map<string, SynthResource>,
  head: Map<string, SynthResource>,
  headTf: any,
  stateChanges: StateChange[],
): Map<string, SynthResource> {
  const moves = blocks(headTf.moved)
    .map((m) => ({ from: String(m.from ?? ''), to: String(m.to ?? '') }))
    .filter((m) => base.has(m.from) && !base.has(m.to) && head.has(m.to));
  if (!moves.length) return base;
  const rename = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${') ? moves.reduce((s, m) => s.replace(referenceTo(m.from), `$1${m.to}.`), v) : v;
    if (Array.isArray(v)) return v.map(rename);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rename(x)]));
    return v;
  };
  const out = new Map<string, SynthResource>();
  for (const [address, r] of base) {
    const move = moves.find((m) => m.from === address);
    out.set(move ? move.to : address, { ...r, values: rename(r.values) as Record<string, unknown> });
    if (move) stateChanges.push({ stack, address: move.to, type: r.type, kind: 'move', from: address });
  }
  return out;
}

function referenceTo(address: string): RegExp {
  return new RegExp(`(^|[^\\w.])${address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`, 'g');
}
