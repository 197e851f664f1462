/**
 * The Mermaid picture of the changed pipeline, on synth diffs of real synths (the test fixture
 * pipeline and the repository's examples; no terraform). The expected nodes and edges are what the
 * change does to a pipeline, written by hand; the README must carry the same pictures the code draws.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdktf';
import { ChangeSet } from '../../review/changes';
import { pipelineDiagram } from '../../review/diagram';
import { renderReview } from '../../review/markdown';
import { changesFromSynths } from '../../review/synth-diff';
import { Topology, topologyFromSynths, topologyKey } from '../../review/topology';
import { multiRegionStack } from '../../examples/multi-region';
import { OrdersStack } from '../../examples/orders/stack';
import { pipelineStack } from './support/fixtures';

function diff(base: object, head: object, stack = 'app'): { set: ChangeSet; topology: Topology } {
  const b = new Map([[stack, base]]);
  const h = new Map([[stack, head]]);
  return { set: { source: 'synth diff', changes: changesFromSynths(b, h) }, topology: topologyFromSynths(b, h) };
}

interface Drawing {
  /** label (mark included, `<br/>` as " | ") -> node id */
  nodes: Map<string, string>;
  /** "from label -> to label [edge label]" */
  edges: string[];
  /** id -> class */
  classes: Map<string, string>;
  /** subgraph name -> labels inside */
  regions: Map<string, string[]>;
}

/** Reads the Mermaid lines back into labels and edges, the way a reader of the picture sees them. */
function read(lines: string[]): Drawing {
  const nodes = new Map<string, string>();
  const byId = new Map<string, string>();
  const regions = new Map<string, string[]>();
  const classes = new Map<string, string>();
  const edges: string[] = [];
  let region: string | undefined;
  for (const line of lines) {
    const sub = /^ {2}subgraph \S+ \["(.+)"\]$/.exec(line);
    if (sub) {
      region = sub[1];
      regions.set(region, []);
      continue;
    }
    if (line === '  end') region = undefined;
    const node = /^ +(n\d+)\W+"(.*)"\W+$/.exec(line);
    if (node) {
      const label = node[2].replace(/<br\/>/g, ' | ');
      nodes.set(label, node[1]);
      byId.set(node[1], label);
      if (region) regions.get(region)!.push(label);
    }
    const edge = /^ {2}(n\d+) (-->|-\.->|-- (.+) -->|-\. (.+) \.->) (n\d+)$/.exec(line);
    if (edge) edges.push(`${byId.get(edge[1])} -> ${byId.get(edge[5])}${edge[3] || edge[4] ? ` [${edge[3] ?? edge[4]}]` : ''}`);
    const cls = /^ {2}class (\S+) (\w+)$/.exec(line);
    if (cls) for (const id of cls[1].split(',')) classes.set(byId.get(id)!, cls[2]);
  }
  return { nodes, edges, classes, regions };
}

describe('pipeline diagram', () => {
  test('GIVEN a hash key change WHEN drawn THEN table, stream and mapping are marked replaced and the failure queue is grey context', () => {
    const { set, topology } = diff(pipelineStack(), pipelineStack({ hashKey: 'id' }));
    const md = renderReview(set, { topology }).markdown;
    const block = md.slice(md.indexOf('```mermaid'), md.indexOf('```\n', md.indexOf('```mermaid')) + 3).split('\n');
    const d = read(block);
    expect([...d.nodes.keys()].sort()).toEqual([
      'mapping TRIM_HORIZON | ↻ replaced',
      'queue orders-failures',
      'stream NEW_AND_OLD_IMAGES | ↻ replaced',
      'table orders | ↻ replaced',
    ]);
    expect(d.edges.sort()).toEqual([
      'mapping TRIM_HORIZON | ↻ replaced -> queue orders-failures [on failure]',
      'stream NEW_AND_OLD_IMAGES | ↻ replaced -> mapping TRIM_HORIZON | ↻ replaced',
      'table orders | ↻ replaced -> stream NEW_AND_OLD_IMAGES | ↻ replaced',
    ]);
    expect(d.classes.get('table orders | ↻ replaced')).toBe('replaced');
    expect(d.classes.get('queue orders-failures')).toBe('unchanged');
    // The picture comes after the alerts, before the rows.
    expect(md.indexOf('### Pipeline')).toBeGreaterThan(md.indexOf('### ⚠️'));
    expect(md.indexOf('### Pipeline')).toBeLessThan(md.indexOf('### Changes'));
  });

  test('GIVEN a renamed table construct (destroy + create) WHEN reviewed THEN the golden comment shows the old table destroyed, the new one created and the mapping moved', () => {
    // cdktf output after renaming the table's construct id: same table name, new address.
    const renamed = JSON.parse(
      JSON.stringify(pipelineStack()).replace(/aws_dynamodb_table\.orders\./g, 'aws_dynamodb_table.orders_table.'),
    );
    renamed.resource.aws_dynamodb_table = { orders_table: renamed.resource.aws_dynamodb_table.orders };
    const { set, topology } = diff(pipelineStack(), renamed, 'orders');
    const md = renderReview(set, { topology }).markdown;
    const d = read(md.slice(md.indexOf('```mermaid')).split('\n'));
    expect(d.classes.get('table orders (orders) | ✖ destroyed')).toBe('destroyed');
    expect(d.classes.get('table orders (orders_table) | + new')).toBe('created');
    expect(d.edges).toContain('stream NEW_AND_OLD_IMAGES | + new -> mapping TRIM_HORIZON | ↻ replaced');
    expect(md).toMatchSnapshot();
    mkdirSync(join(__dirname, '../../build/review-samples'), { recursive: true });
    writeFileSync(join(__dirname, '../../build/review-samples/rename.md'), md);
  });

  test('GIVEN the us-east-1 table of the three-region example replaced WHEN drawn THEN regions are subgraphs and the writers of the other regions point at it', () => {
    const base = JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'mr')));
    const head = JSON.parse(JSON.stringify(base));
    const us = Object.keys(head.resource.aws_dynamodb_table).find((k) => k.startsWith('Customers_Table-us-east-1'))!;
    head.resource.aws_dynamodb_table[us].hash_key = 'id';
    head.resource.aws_dynamodb_table[us].attribute.push({ name: 'id', type: 'S' });
    const { set, topology } = diff(base, head, 'mr');
    const d = read(pipelineDiagram(set.changes, [], topology)!);
    expect(d.regions.get('us-east-1')).toEqual(
      expect.arrayContaining(['table customers | ↻ replaced', 'mapping TRIM_HORIZON | ↻ replaced']),
    );
    expect(d.regions.get('eu-west-1')).toContain('λ mr-Customers-Writer-eu-west-1');
    expect(d.edges).toContain('λ mr-Customers-Writer-eu-west-1 -> table customers | ↻ replaced [writes]');
    expect(d.classes.get('λ mr-Customers-Writer-eu-west-1')).toBe('unchanged');
  });

  test('GIVEN a replica drainer that reads its own table and writes the others WHEN its policy is read THEN only the tables it may write are write edges', () => {
    const tf = JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'mr')));
    const topology = topologyFromSynths(new Map([['mr', tf]]));
    const policies = Object.entries<any>(tf.resource.aws_iam_role_policy);
    const [name, drainer] = policies.find(([n]) => /Writer-eu-west-1_Backlog_Policy/.test(n))!;
    const tables = Object.keys(tf.resource.aws_dynamodb_table);
    const table = (region: string) => `aws_dynamodb_table.${tables.find((t) => t.startsWith(`Customers_Table-${region}`))}`;
    // Ground truth from the document itself: the drainer's statements name its own table for GetItem only.
    expect(drainer.policy).toContain(table('eu-west-1'));
    const ctx = topology.get(topologyKey('mr', `aws_iam_role_policy.${name}`))!;
    expect(ctx.references.policy).toContain(table('eu-west-1'));
    const backlog = `aws_dynamodb_table.${tables.find((t) => t.startsWith('Customers_Writer-eu-west-1_Backlog_Table'))}`;
    // It writes the other regions' tables (PutItem) and its backlog (UpdateItem, DeleteItem).
    expect(ctx.writes).toEqual([table('ap-southeast-2'), table('us-east-1'), backlog].sort());
  });

  test('GIVEN the example pipeline and the three-region example WHEN drawn plain THEN README shows the same pictures', () => {
    const whole = (tf: object, name: string) => {
      const { set, topology } = diff({}, tf, name);
      return pipelineDiagram(set.changes, [], topology, true)!.join('\n');
    };
    const pipeline = whole(JSON.parse(Testing.synth(new OrdersStack(Testing.app(), 'orders'))), 'orders');
    const regions = whole(JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'multi-region'))), 'multi-region');
    expect(pipeline).toContain('[/"stream NEW_AND_OLD_IMAGES"/]');
    expect(regions.match(/subgraph/g)).toHaveLength(3);
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    // On failure, the message carries the block to paste.
    expect({ inReadme: readme.includes(pipeline), pipeline }).toEqual({ inReadme: true, pipeline });
    expect({ inReadme: readme.includes(regions), regions }).toEqual({ inReadme: true, regions });
  });
});
