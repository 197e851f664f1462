/**
 * A Mermaid flowchart of the changed part of the pipeline, which GitHub draws in a comment:
 * table -> stream -> mapping -> function -> failure destination, alarms beside what they watch,
 * one subgraph per region, destroyed and replaced parts marked (colour and a word, so it reads in
 * any theme and in the raw text). Unchanged neighbours are drawn grey for context.
 */
import { Alert } from './alerts';
import { ResourceChange } from './changes';
import { isTagOnly } from './groups';
import { Edge, PipelineResource, pipelineGraph, streamKey } from './pipeline-graph';
import { Topology } from './topology';

type State = 'destroyed' | 'replaced' | 'created' | 'updated' | 'unchanged';

/** Past this many nodes only the changed resources and their direct neighbours are drawn. */
const MAX_NODES = 40;
const MARK: Record<State, string> = {
  destroyed: '✖ destroyed',
  replaced: '↻ replaced',
  created: '+ new',
  updated: '~ updated',
  unchanged: '',
};
const CLASSES = [
  'classDef destroyed fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 3,color:#82071e',
  'classDef replaced fill:#fff1e5,stroke:#bc4c00,stroke-width:3px,color:#762c00',
  'classDef created fill:#dafbe1,stroke:#1a7f37,color:#044f1e',
  'classDef updated fill:#ddf4ff,stroke:#0969da,color:#0a3069',
  'classDef unchanged fill:#f6f8fa,stroke:#8c959f,color:#57606a',
];

interface Node {
  readonly key: string;
  readonly label: string;
  readonly shape: [string, string];
  readonly state: State;
  readonly region?: string;
}

const SHAPES: Record<string, [string, string]> = {
  table: ['[(', ')]'],
  stream: ['[/', '/]'],
  kinesis: ['[/', '/]'],
  mapping: ['{{', '}}'],
  function: ['(', ')'],
  queue: ['[[', ']]'],
  topic: ['[', ']'],
  bucket: ['[(', ')]'],
  alarm: ['>', ']'],
};

/**
 * The diagram's lines (a ```mermaid block), or undefined when no pipeline resource changes.
 * `plain` draws every pipeline without change marks (the README's pictures).
 */
export function pipelineDiagram(changes: ResourceChange[], alerts: Alert[], topology?: Topology, plain = false): string[] | undefined {
  const { resources, edges } = pipelineGraph(changes, topology);
  const nodes = new Map<string, Node>();
  for (const r of resources.values()) nodes.set(r.key, node(r, stateOf(r.change)));
  for (const r of resources.values())
    if (edges.some((e) => e.from === streamKey(r.key) || e.to === streamKey(r.key))) nodes.set(streamKey(r.key), streamNode(r, alerts));

  const flow = edges.filter((e) => !e.dotted);
  const linked = (key: string) => edges.some((e) => (e.from === key || e.to === key) && e.label !== 'writes');
  const seeds = [...nodes.values()]
    .filter((n) => plain || (n.state !== 'unchanged' && !isRoutine(resources.get(n.key)?.change)))
    // A queue or function on its own is not a pipeline; a table is where one starts.
    .filter((n) => linked(n.key) || (!plain && resources.get(n.key)?.kind === 'table'))
    .map((n) => n.key);
  if (seeds.length === 0) return undefined;
  let selected = closure(seeds, flow, Infinity);
  if (selected.size > MAX_NODES) selected = closure(seeds, flow, 1);
  // Too big to read as a picture: the alerts and the table say it better.
  if (selected.size > MAX_NODES * 2) return undefined;
  // A changed alarm is drawn beside what it watches, even when that is unchanged.
  for (const e of edges) if (e.dotted && !e.label && seeds.includes(e.to)) selected.add(e.from);
  const alarmEdges = edges.filter((e) => e.dotted && !e.label && selected.has(e.from) && (plain || nodes.get(e.to)?.state !== 'unchanged'));
  // Writers are drawn both ways: what a drawn function writes, and who writes into a changed table.
  const writes = edges.filter((e) => e.label === 'writes' && (selected.has(e.from) || seeds.includes(e.to)));
  for (const e of writes) selected.add(e.to).add(e.from);
  const shown = [...edges.filter((e) => !e.dotted && selected.has(e.from) && selected.has(e.to)), ...writes];

  // Alarms collapse into one node per watched resource: "3 alarms", marked by the worst change among them.
  const groups = new Map<string, Node[]>();
  for (const e of alarmEdges) groups.set(e.from, [...(groups.get(e.from) ?? []), nodes.get(e.to)!]);
  for (const [target, members] of groups) {
    const state = worst(members.map((m) => m.state));
    const key = `${target}#alarms`;
    const label = members.length === 1 ? members[0].label : `${members.length} alarms`;
    nodes.set(key, { key, label, shape: SHAPES.alarm, state, region: nodes.get(target)?.region });
    selected.add(key);
    shown.push({ from: target, to: key, dotted: true });
  }
  for (const key of [...selected]) if (nodes.get(key)?.shape === SHAPES.alarm && !key.endsWith('#alarms')) selected.delete(key);
  return mermaid([...selected].map((k) => nodes.get(k)!).filter(Boolean), shown, plain);
}

function mermaid(nodes: Node[], edges: Edge[], plain: boolean): string[] {
  const sorted = [...nodes].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const id = new Map(sorted.map((n, i) => [n.key, `n${i + 1}`]));
  // Two nodes of one label (a table renamed: old and new address) are told apart by their address.
  const twins = new Set(
    sorted.filter((n, i) => !n.key.includes('#') && sorted.some((m, j) => j !== i && m.label === n.label)).map((n) => n.key),
  );
  const text = (n: Node) => {
    const mark = plain ? '' : MARK[n.state];
    const label = twins.has(n.key)
      ? `${n.label} (${n.key
          .split('.')
          .pop()!
          .replace(/_[0-9A-F]{8}$/, '')})`
      : n.label;
    return `${id.get(n.key)}${n.shape[0]}"${mermaidText(label)}${mark ? `<br/>${mark}` : ''}"${n.shape[1]}`;
  };
  const lines = ['```mermaid', 'flowchart LR'];
  const regions = [...new Set(sorted.map((n) => n.region).filter((r): r is string => !!r))].sort();
  for (const region of regions) {
    lines.push(`  subgraph ${region.replace(/-/g, '_')} ["${region}"]`, '    direction LR');
    for (const n of sorted.filter((x) => x.region === region)) lines.push(`    ${text(n)}`);
    lines.push('  end');
  }
  for (const n of sorted.filter((x) => !x.region)) lines.push(`  ${text(n)}`);
  const arrow = (e: Edge) => (e.dotted ? (e.label ? `-. ${e.label} .->` : '-.->') : e.label ? `-- ${e.label} -->` : '-->');
  for (const e of [...edges].sort((x, y) => cmpEdge(x, y, id)))
    if (id.has(e.from) && id.has(e.to)) lines.push(`  ${id.get(e.from)} ${arrow(e)} ${id.get(e.to)}`);
  if (!plain) {
    lines.push(...CLASSES.map((c) => `  ${c}`));
    for (const state of ['destroyed', 'replaced', 'created', 'updated', 'unchanged'] as State[]) {
      const members = sorted.filter((n) => n.state === state).map((n) => id.get(n.key));
      if (members.length) lines.push(`  class ${members.join(',')} ${state}`);
    }
  }
  lines.push('```');
  return lines;
}

function cmpEdge(x: Edge, y: Edge, id: Map<string, string>): number {
  const n = (k: string) => Number(id.get(k)?.slice(1) ?? 0);
  return n(x.from) - n(y.from) || n(x.to) - n(y.to);
}

/** Nodes reachable from `seeds` over `edges` (either direction) in at most `hops` steps. */
function closure(seeds: string[], edges: Edge[], hops: number): Set<string> {
  const seen = new Set(seeds);
  let frontier = [...seeds];
  for (let hop = 0; hop < hops && frontier.length; hop++) {
    const next: string[] = [];
    for (const e of edges)
      for (const [a, b] of [
        [e.from, e.to],
        [e.to, e.from],
      ])
        if (frontier.includes(a) && !seen.has(b)) {
          seen.add(b);
          next.push(b);
        }
    frontier = next;
  }
  return seen;
}

function node(r: PipelineResource, state: State): Node {
  const start = r.values.starting_position;
  const label =
    r.kind === 'mapping'
      ? `mapping${typeof start === 'string' && !start.includes('${') ? ` ${start}` : ''}`
      : `${r.kind === 'function' ? 'λ' : r.kind} ${nameOf(r)}`;
  return { key: r.key, label, shape: SHAPES[r.kind], state, region: r.region };
}

/** The stream is renewed when its table is replaced or its stream settings change, gone when the table or stream goes. */
function streamNode(table: PipelineResource, alerts: Alert[]): Node {
  const t = stateOf(table.change);
  const off = table.change?.after && table.change.after.stream_enabled === false;
  const renewed = alerts.some((a) => a.kind === 'stream-loss' && a.stack === table.stack && a.address === table.address);
  const state: State =
    t === 'destroyed' || off ? 'destroyed' : t === 'replaced' || renewed ? 'replaced' : t === 'created' ? 'created' : 'unchanged';
  const view = table.values.stream_view_type;
  return {
    key: streamKey(table.key),
    label: `stream${typeof view === 'string' && !view.includes('${') ? ` ${view}` : ''}`,
    shape: SHAPES.stream,
    state,
    region: table.region,
  };
}

function nameOf(r: PipelineResource): string {
  const literal = [r.values.name, r.values.function_name, r.values.alarm_name].find(
    (v) => typeof v === 'string' && v !== '' && !v.includes('${'),
  );
  if (literal) return literal as string;
  // cdktf addresses end in a hash (`Orders_Table_7FB04618`): the construct path reads better without it.
  return r.address
    .split('.')
    .pop()!
    .replace(/_[0-9A-F]{8}$/, '');
}

function stateOf(c: ResourceChange | undefined): State {
  if (!c) return 'unchanged';
  return ({ delete: 'destroyed', replace: 'replaced', create: 'created', update: 'updated' } as const)[c.action];
}

function isRoutine(c: ResourceChange | undefined): boolean {
  return !!c && isTagOnly(c);
}

function worst(states: State[]): State {
  return (['destroyed', 'replaced', 'created', 'updated', 'unchanged'] as State[]).find((s) => states.includes(s)) ?? 'unchanged';
}

/** Mermaid label text: quotes and angle brackets as entities so a name cannot end the label or inject HTML. */
function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
