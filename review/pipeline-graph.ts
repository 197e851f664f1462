/**
 * The pipeline as a graph, for the diagram: table -> stream -> mapping -> function -> failure
 * destination, alarms on each part, and the writes of replica writers into other regions' tables.
 * Edges come from the configuration's references (topology.ts) where known, else from literal
 * names in the values (a mapping's `function_name`, a stream ARN naming its table).
 */
import { ResourceChange } from './changes';
import { Topology, topologyKey } from './topology';

export type NodeKind = 'table' | 'stream' | 'kinesis' | 'mapping' | 'function' | 'queue' | 'topic' | 'bucket' | 'alarm';

export interface PipelineResource {
  readonly key: string;
  readonly stack: string;
  readonly address: string;
  readonly kind: NodeKind;
  /** Present when the resource changes. */
  readonly change?: ResourceChange;
  readonly values: Record<string, unknown>;
  readonly region?: string;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  /** Dotted: not the flow of records (alarm watches, writes into another table). */
  readonly dotted?: boolean;
}

const KINDS: Readonly<Record<string, NodeKind>> = {
  aws_dynamodb_table: 'table',
  aws_kinesis_stream: 'kinesis',
  aws_lambda_event_source_mapping: 'mapping',
  aws_lambda_function: 'function',
  aws_sqs_queue: 'queue',
  aws_sns_topic: 'topic',
  aws_s3_bucket: 'bucket',
  aws_cloudwatch_metric_alarm: 'alarm',
};

/** Every pipeline resource (changed ones and those the topology knows) and the edges between them. */
export function pipelineGraph(
  changes: ResourceChange[],
  topology: Topology = new Map(),
): { resources: Map<string, PipelineResource>; edges: Edge[] } {
  const resources = new Map<string, PipelineResource>();
  const changed = new Map(changes.map((c) => [topologyKey(c.stack, c.address), c]));
  const keys = [...new Set([...topology.keys(), ...changed.keys()])].sort();
  for (const key of keys) {
    const [stack, address] = key.split('\u0000');
    const change = changed.get(key);
    const type = change?.type ?? address.replace(/^(module\.[^.]+\.)*/, '').split('.')[0];
    const kind = KINDS[type];
    if (!kind) continue;
    const values = { ...topology.get(key)?.names, ...(change?.before ?? {}), ...(change?.after ?? {}) };
    resources.set(key, { key, stack, address, kind, change, values, region: topology.get(key)?.region ?? regionInArns(values) });
  }
  const refs = (r: PipelineResource, arg: string): PipelineResource[] => {
    const known = topology.get(r.key)?.references[arg] ?? referencesInValue(r.values[arg]);
    const byRef = known.map((a) => resources.get(topologyKey(r.stack, a))).filter((x): x is PipelineResource => !!x);
    return byRef.length ? byRef : byLiteral(resources, r.stack, r.values[arg]);
  };
  const edges: Edge[] = [];
  const all = [...resources.values()];
  for (const r of all) {
    if (r.kind === 'table' && streamOn(r)) edges.push({ from: r.key, to: streamKey(r.key) });
    if (r.kind === 'mapping') {
      for (const s of refs(r, 'event_source_arn')) {
        // A mapping reading a table's stream proves the stream, even when the table is unchanged context.
        if (s.kind === 'table') edges.push({ from: s.key, to: streamKey(s.key) });
        edges.push({ from: s.kind === 'table' ? streamKey(s.key) : s.key, to: r.key });
      }
      for (const f of refs(r, 'function_name')) edges.push({ from: r.key, to: f.key });
      for (const d of refs(r, 'destination_config')) edges.push({ from: r.key, to: d.key, label: 'on failure' });
    }
    if (r.kind === 'alarm') {
      const watched = ['dimensions', 'metric_query'].flatMap((arg) => refs(r, arg)).filter((x) => x.kind !== 'alarm' && x.kind !== 'topic');
      for (const t of watched.length ? watched : dimensionTargets(r, all)) edges.push({ from: t.key, to: r.key, dotted: true });
    }
  }
  edges.push(...writeEdges(all, topology, edges));
  return { resources, edges: dedupe(edges) };
}

export const streamKey = (tableKey: string) => `${tableKey}#stream`;

function streamOn(r: PipelineResource): boolean {
  const on = (v: unknown) => v === true || v === 'true';
  return on(r.change?.before?.stream_enabled) || on(r.change?.after?.stream_enabled) || on(r.values.stream_enabled);
}

/**
 * A function writes the tables its role's policies let it write (other than the tables it reads the
 * stream of): how a replica writer reaches the other regions. Only through references; where the
 * policy document cannot be read statement by statement (a plan), every table it names.
 */
function writeEdges(all: PipelineResource[], topology: Topology, flow: Edge[]): Edge[] {
  const out: Edge[] = [];
  const tablesByRole = new Map<string, string[]>();
  for (const [key, ctx] of topology) {
    const [stack, address] = key.split('\u0000');
    if (!/(^|\.)aws_iam_role_policy\.[^.]+$/.test(address)) continue;
    for (const role of ctx.references.role ?? [])
      for (const t of ctx.writes ?? ctx.references.policy ?? [])
        if (/(^|\.)aws_dynamodb_table\./.test(t))
          tablesByRole.set(topologyKey(stack, role), [...(tablesByRole.get(topologyKey(stack, role)) ?? []), t]);
  }
  for (const f of all.filter((r) => r.kind === 'function')) {
    const reads = new Set(
      flow.filter((e) => e.to === f.key).flatMap((e) => flow.filter((m) => m.to === e.from).map((m) => m.from.replace(/#stream$/, ''))),
    );
    for (const role of topology.get(f.key)?.references.role ?? [])
      for (const t of tablesByRole.get(topologyKey(f.stack, role)) ?? []) {
        const table = topologyKey(f.stack, t);
        if (!reads.has(table) && all.some((r) => r.key === table && streamOn(r)))
          out.push({ from: f.key, to: table, label: 'writes', dotted: true });
      }
  }
  return out;
}

/** Alarm dimensions naming a function, queue or table literally. */
function dimensionTargets(alarm: PipelineResource, all: PipelineResource[]): PipelineResource[] {
  const d = (alarm.values.dimensions ?? {}) as Record<string, unknown>;
  const match = (kind: NodeKind, attr: string, value: unknown) =>
    typeof value === 'string' ? all.filter((r) => r.stack === alarm.stack && r.kind === kind && r.values[attr] === value) : [];
  return [
    ...match('function', 'function_name', d.FunctionName),
    ...match('queue', 'name', d.QueueName),
    ...match('table', 'name', d.TableName),
  ];
}

/** Resources a literal value names: a table by its stream or table ARN, a function, queue or topic by name or ARN. */
function byLiteral(resources: Map<string, PipelineResource>, stack: string, value: unknown): PipelineResource[] {
  const strings = (JSON.stringify(value ?? null) ?? '').match(/"[^"]*"/g)?.map((s) => JSON.parse(s) as string) ?? [];
  const out: PipelineResource[] = [];
  for (const s of strings) {
    if (s.includes('${')) continue;
    const table = /:table\/([^/]+)/.exec(s)?.[1];
    for (const r of resources.values()) {
      if (r.stack !== stack) continue;
      const name = r.values.name ?? r.values.function_name;
      if (typeof name !== 'string' || name === '') continue;
      const hit =
        (r.kind === 'table' && table === name) ||
        (r.kind === 'function' && (s === name || s.endsWith(`:function:${name}`))) ||
        ((r.kind === 'queue' || r.kind === 'topic') && s.endsWith(`:${name}`)) ||
        (r.kind === 'bucket' && s === `arn:aws:s3:::${name}`);
      if (hit) out.push(r);
    }
  }
  return out;
}

function referencesInValue(value: unknown): string[] {
  return [
    ...(JSON.stringify(value ?? null) ?? '').matchAll(/\$\{((?:module\.[\w-]+\.)*[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)\.[a-z_]/g),
  ].map((m) => m[1]);
}

function regionInArns(values: Record<string, unknown>): string | undefined {
  for (const attr of ['arn', 'stream_arn', 'function_arn', 'event_source_arn']) {
    const m = typeof values[attr] === 'string' ? /^arn:aws[\w-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/.exec(values[attr] as string) : null;
    if (m) return m[1];
  }
  return undefined;
}

function dedupe(edges: Edge[]): Edge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const k = `${e.from}>${e.to}>${e.label ?? ''}`;
    return !seen.has(k) && seen.add(k) !== undefined;
  });
}
