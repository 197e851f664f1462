/**
 * A synthesized stack (`cdktf.out/stacks/<name>/cdk.tf.json`) as the local runtime reads it:
 * resources by type, the region of each (its `provider` alias), and the Terraform references in
 * its values (`${aws_sqs_queue.Failures.url}`), so that what runs locally is configured by the
 * very JSON Terraform would apply.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

export type Resource = Record<string, any>;

export interface SynthesizedStack {
  /** The stack folder (assets are relative to it). */
  readonly dir: string;
  readonly json: Record<string, any>;
}

export function readStack(dir: string): SynthesizedStack {
  const file = join(dir, 'cdk.tf.json');
  if (!existsSync(file)) throw new Error(`${file} does not exist: synthesize the app first`);
  return { dir, json: JSON.parse(readFileSync(file, 'utf8')) };
}

/** The resources of one type, by their logical id. */
export function resourcesOf(stack: SynthesizedStack, type: string): [string, Resource][] {
  return Object.entries(stack.json.resource?.[type] ?? {});
}

export function resourceOf(stack: SynthesizedStack, type: string, id: string): Resource {
  const r = stack.json.resource?.[type]?.[id];
  if (!r) throw new Error(`${type}.${id} is not in the stack`);
  return r;
}

/** The resource's construct path (cdktf metadata), or its address. */
export function pathOf(type: string, id: string, resource: Resource): string {
  return resource['//']?.metadata?.path ?? `${type}.${id}`;
}

function providers(stack: SynthesizedStack): Resource[] {
  const aws = stack.json.provider?.aws;
  return Array.isArray(aws) ? aws : aws ? [aws] : [];
}

/** Region of a resource: that of the provider its `provider` alias names (or the default provider). */
export function regionOf(stack: SynthesizedStack, resource: Resource): string {
  const alias = typeof resource.provider === 'string' ? resource.provider.replace(/^aws\./, '') : undefined;
  const p = providers(stack).find((x) => (alias ? x.alias === alias : !x.alias));
  if (!p) throw new Error(`no aws provider ${alias ? `with alias ${alias}` : 'without an alias'} in the stack`);
  if (typeof p.region !== 'string')
    throw new Error(`the aws provider ${alias ?? '(default)'} has no literal region (got ${JSON.stringify(p.region)})`);
  return p.region;
}

export interface Reference {
  readonly type: string;
  readonly id: string;
  readonly attribute: string;
  /** The whole `${...}` expression. */
  readonly text: string;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g;

/** The resource references in a string value (only plain `${type.id.attribute}` ones). */
export function referencesIn(value: string): Reference[] {
  return [...value.matchAll(REFERENCE)].map((m) => ({ type: m[1], id: m[2], attribute: m[3], text: m[0] }));
}

/** The one reference a value consists of, or undefined for a literal or a larger expression. */
export function wholeReference(value: unknown): Reference | undefined {
  if (typeof value !== 'string') return undefined;
  const refs = referencesIn(value);
  return refs.length === 1 && refs[0].text === value ? refs[0] : undefined;
}

/** Every `${...}` expression anywhere in a JSON value, references or not. */
export function expressionsIn(value: unknown): string[] {
  const json = JSON.stringify(value) ?? '';
  return [...json.matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]);
}
