/**
 * Secrets never reach the comment. A plan says per attribute what is sensitive
 * (`before_sensitive` / `after_sensitive`: `true` on a leaf or on a whole block, nested like the
 * values); those values are replaced by a `Masked` stand-in before anything is diffed or
 * rendered. The stand-in keeps a digest so a rotated secret still shows as a change, never the
 * value. Without a plan (synth diff) an argument is masked when its expression reads a sensitive
 * variable, a local that does, a remote-state output, or an attribute the provider marks sensitive.
 */
import { createHash } from 'crypto';

/** What a sensitive value prints as; the digest only tells "changed" from "unchanged". */
export class Masked {
  constructor(readonly digest: string) {}
  toJSON(): string {
    return '(sensitive value)';
  }
  toString(): string {
    return '(sensitive value)';
  }
}

export function mask(v: unknown): Masked {
  return new Masked(
    createHash('sha256')
      .update(JSON.stringify(v) ?? 'undefined')
      .digest('hex'),
  );
}

/** `values` with every leaf or block marked `true` in `sensitive` (a plan's *_sensitive tree) masked. */
export function maskSensitive<T>(values: T, sensitive: unknown): T {
  if (sensitive === true) return (values === null || values === undefined ? values : mask(values)) as T;
  if (Array.isArray(values)) return values.map((x, i) => maskSensitive(x, Array.isArray(sensitive) ? sensitive[i] : undefined)) as T;
  if (values && typeof values === 'object' && !(values instanceof Masked)) {
    const s = sensitive && typeof sensitive === 'object' ? (sensitive as Record<string, unknown>) : {};
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(values)) o[k] = maskSensitive(x, s[k]);
    return o as T;
  }
  return values;
}

/**
 * Attributes hashicorp/aws 5.100.0 marks `sensitive` in its schema, for the resource types a
 * pipeline stack holds (checked against `terraform providers schema -json` in the tests).
 */
export const SCHEMA_SENSITIVE: Readonly<Record<string, readonly string[]>> = {
  aws_ssm_parameter: ['value'],
  aws_secretsmanager_secret_version: ['secret_string', 'secret_binary'],
  aws_iam_access_key: ['secret', 'ses_smtp_password_v4'],
  aws_db_instance: ['password'],
  aws_rds_cluster: ['master_password'],
};

const VAR = /\bvar\.([A-Za-z_][\w-]*)/g;
const LOCAL = /\blocal\.([A-Za-z_][\w-]*)/g;
const REMOTE_OUTPUT = /\bdata\.terraform_remote_state\.[\w-]+\.outputs\b/;

/** Names of the stack's sensitive variables, and locals whose expression reads one (transitively). */
function sensitiveNames(tf: any): { vars: Set<string>; locals: Set<string> } {
  const vars = new Set(
    Object.entries<any>(tf?.variable ?? {})
      .filter(([, v]) => v?.sensitive === true)
      .map(([k]) => k),
  );
  const locals = new Set<string>();
  const localDefs = Object.entries<any>(Object.assign({}, ...[tf?.locals ?? []].flat()));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, expr] of localDefs) {
      if (!locals.has(name) && readsSensitive(JSON.stringify(expr), vars, locals)) {
        locals.add(name);
        grew = true;
      }
    }
  }
  return { vars, locals };
}

function readsSensitive(text: string, vars: Set<string>, locals: Set<string>): boolean {
  if (!text.includes('${')) return false;
  if (REMOTE_OUTPUT.test(text)) return true;
  for (const m of text.matchAll(VAR)) if (vars.has(m[1])) return true;
  for (const m of text.matchAll(LOCAL)) if (locals.has(m[1])) return true;
  return false;
}

/** A synthesized resource's arguments with every value a secret feeds masked. */
export function maskSynthResource(tf: any): (type: string, values: Record<string, unknown>) => Record<string, unknown> {
  const { vars, locals } = sensitiveNames(tf);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return readsSensitive(v, vars, locals) ? mask(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return (type, values) => {
    const out = walk(values) as Record<string, unknown>;
    for (const attr of SCHEMA_SENSITIVE[type] ?? [])
      if (out[attr] !== undefined && !(out[attr] instanceof Masked)) out[attr] = mask(out[attr]);
    return out;
  };
}
