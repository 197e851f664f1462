import { Token } from 'cdktf';
import { DEFAULT_ATTRIBUTE_NAMES } from '../../../handlers/contract';
import { LIMITS } from '../../internal/limits';
import { PropsValidator } from '../../internal/validation';
import type { LwwNames, ReplicaRegionProps, ReplicatedTableProps, ReplicationChangeSource, ReplicationMode, WriterLayout } from '../props';
import { checkDrainerOptions } from './drainer-options';
import { checkWriterRecordAge } from './retention';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const MODES: readonly ReplicationMode[] = ['multi-active', 'one-way', 'global-table'];
const LAYOUTS: readonly WriterLayout[] = ['fan-out', 'per-target'];
const CHANGE_SOURCES: readonly ReplicationChangeSource[] = ['dynamodb-stream', 'kinesis'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;
export const DEFAULT_TTL_ATTRIBUTE = DEFAULT_ATTRIBUTE_NAMES.ttl;

/** The props checked and resolved: names, modes and who writes where. */
export interface ReplicationPlan {
  readonly mode: ReplicationMode;
  readonly layout: WriterLayout;
  readonly changeSource: ReplicationChangeSource;
  readonly names: LwwNames;
  /** Home first, then the replicas, in the order given. */
  readonly regions: ReplicaRegionProps[];
  /** For each region with a writer: the regions it writes to. */
  readonly writes: { readonly source: string; readonly targets: string[] }[];
}

/** Checks every prop of a ReplicatedTable; reports all problems to `v` (the caller throws). */
export function planReplication(v: PropsValidator, props: ReplicatedTableProps): ReplicationPlan {
  const mode = props.mode ?? 'multi-active';
  const layout = props.writerLayout ?? 'fan-out';
  v.oneOf('mode', mode, MODES);
  v.oneOf('writerLayout', layout, LAYOUTS);
  const changeSource = props.changeSource ?? 'dynamodb-stream';
  v.oneOf('changeSource', changeSource, CHANGE_SOURCES);
  if (changeSource === 'kinesis' && mode === 'global-table')
    v.fail(
      'changeSource',
      changeSource,
      "'dynamodb-stream' in global-table mode",
      'DynamoDB replicates a global table itself; there is no writer to read Kinesis',
    );
  if (props.kinesisStream !== undefined && changeSource !== 'kinesis')
    v.fail(
      'kinesisStream',
      'set',
      "unset unless changeSource is 'kinesis'",
      'no Kinesis stream is created for a writer that reads the DynamoDB stream',
    );
  v.matches('tableName', props.tableName, LIMITS.tableName.pattern, LIMITS.tableName.described);
  const ttl = props.timeToLiveAttribute ?? DEFAULT_TTL_ATTRIBUTE;
  const a = props.attributeNames;
  const names: LwwNames = {
    version: a?.version ?? DEFAULT_ATTRIBUTE_NAMES.version,
    origin: a?.origin ?? DEFAULT_ATTRIBUTE_NAMES.origin,
    deleted: a?.deleted ?? DEFAULT_ATTRIBUTE_NAMES.deleted,
    ttl,
    writtenFor: a?.writtenFor ?? DEFAULT_ATTRIBUTE_NAMES.writtenFor,
  };
  if (new Set(Object.values(names)).size !== 5) {
    v.fail(
      'attributeNames',
      names,
      'five distinct attribute names (version, origin, deleted, writtenFor and the TTL attribute)',
      'the writer tells them apart by name',
    );
  }
  const keys = [props.partitionKey?.name, props.sortKey?.name].filter((k): k is string => !!k);
  for (const [role, name] of Object.entries(names)) {
    if (keys.includes(name))
      v.fail(
        role === 'ttl' ? 'timeToLiveAttribute' : `attributeNames.${role}`,
        name,
        'a name that is not a key attribute',
        'the writer sets it on every replicated item',
      );
  }

  const regions = [props.home, ...(props.replicas ?? [])];
  const where = (i: number) => (i === 0 ? 'home' : `replicas[${i - 1}]`);
  if (!props.replicas?.length)
    v.fail('replicas', props.replicas, 'at least one region', 'a replicated table needs a region to replicate to');
  const seen = new Map<string, number>();
  regions.forEach((r, i) => {
    v.matches(`${where(i)}.region`, r.region, REGION, 'an AWS region name such as eu-west-1');
    const first = seen.get(r.region);
    if (first === 0)
      v.fail(`${where(i)}.region`, r.region, `a region other than the home region ${r.region}`, 'a table never replicates into itself');
    else if (first !== undefined)
      v.fail(`${where(i)}.region`, r.region, `unique among the regions (${where(first)} is ${r.region} already)`, 'one table per region');
    else seen.set(r.region, i);
    checkRegion(v, where(i), r, props, names, mode);
  });
  if ((props.encryption ?? 'AWS_MANAGED') === 'CUSTOMER_MANAGED') {
    regions.forEach((r, i) => {
      if (!r.encryptionKeyArn && !r.table)
        v.fail(
          `${where(i)}.encryptionKeyArn`,
          undefined,
          `a KMS key ARN in ${r.region}`,
          'encryption CUSTOMER_MANAGED needs a key per region (KMS keys are regional)',
        );
    });
  }

  if (mode === 'global-table') {
    const unsupported: [string, unknown][] = [
      ['stampedWritesOnly', props.stampedWritesOnly],
      ['replicateItemsWhere', props.replicateItemsWhere],
      ['writerLayout', props.writerLayout],
      ['writer', props.writer],
      ['attributeNames', props.attributeNames],
    ];
    for (const [prop, value] of unsupported)
      if (value !== undefined)
        v.fail(
          prop,
          value,
          'unset with mode global-table',
          'DynamoDB global tables replicate every item themselves; there is no writer to configure',
        );
  }

  const writes: ReplicationPlan['writes'] = [];
  if (mode !== 'global-table') {
    regions.forEach((r, i) => {
      const writer = mode === 'multi-active' ? !r.readReplica : i === 0;
      if (!writer) return;
      const targets = regions.filter((t) => t.region !== r.region).map((t) => t.region);
      writes.push({ source: r.region, targets });
      const readers = layout === 'per-target' ? targets.length : 1;
      if (readers > LIMITS.readersPerStream) {
        v.fail(
          'writerLayout',
          layout,
          `'fan-out' with ${regions.length} regions`,
          `per-target writers would put ${readers} readers on the stream of ${r.region}; ` +
            `AWS throttles more than ${LIMITS.readersPerStream} readers of a DynamoDB stream shard. ` +
            'One fan-out writer per stream writes to every target and leaves a reader for your own consumer',
        );
      }
    });
  }
  if (
    props.replicateItemsWhere !== undefined &&
    (typeof props.replicateItemsWhere !== 'object' || props.replicateItemsWhere === null || Array.isArray(props.replicateItemsWhere))
  ) {
    v.fail(
      'replicateItemsWhere',
      props.replicateItemsWhere,
      'a filter pattern object on new-image attributes, such as { tier: { S: ["gold"] } }',
    );
  }
  const w = props.writer ?? {};
  v.integer('writer.concurrency', w.concurrency, 1, 1000);
  v.integer('writer.tombstoneTtlSeconds', w.tombstoneTtlSeconds, 86400, 31536000, {
    why: 'a tombstone must outlive the 24-hour stream retention, or a late copy of the deleted item could resurrect it',
  });
  checkDrainerOptions(v, 'writer.drainer', w.drainer);
  checkWriterRecordAge(v, props);
  return { mode, layout, changeSource, names, regions, writes };
}

function checkRegion(
  v: PropsValidator,
  at: string,
  r: ReplicaRegionProps,
  props: ReplicatedTableProps,
  names: LwwNames,
  mode: ReplicationMode,
): void {
  const keys = [props.partitionKey, props.sortKey].filter((k) => !!k).map((k) => k!.name);
  const indexKeys = (props.globalSecondaryIndexes ?? [])
    .flatMap((g) => [g.partitionKey.name, g.sortKey?.name])
    .filter((k): k is string => !!k);
  const metadata = Object.values(names);
  const selective = (r.omitAttributes?.length ?? 0) + (r.maskAttributes?.length ?? 0) > 0;
  for (const prop of ['omitAttributes', 'maskAttributes'] as const) {
    for (const name of r[prop] ?? []) {
      if (keys.includes(name)) v.fail(`${at}.${prop}`, name, 'a non-key attribute', 'every copy needs the item key');
      else if (metadata.includes(name))
        v.fail(
          `${at}.${prop}`,
          name,
          `an attribute other than the replication metadata (${metadata.join(', ')})`,
          'last-write-wins needs them in every region',
        );
      else if (prop === 'maskAttributes' && indexKeys.includes(name))
        v.fail(
          `${at}.${prop}`,
          name,
          'an attribute that is not an index key',
          'the mask is a string and would break a key of another type; omit it instead',
        );
    }
  }
  const both = (r.omitAttributes ?? []).filter((a) => (r.maskAttributes ?? []).includes(a));
  if (both.length) v.fail(`${at}.maskAttributes`, both, 'attributes not also in omitAttributes');
  if (selective && mode === 'multi-active' && !r.readReplica) {
    v.fail(
      `${at}.readReplica`,
      r.readReplica,
      'true when the region omits or masks attributes',
      'its items are incomplete, and replicating writes made there would overwrite the full items elsewhere',
    );
  }
  if (selective && mode === 'global-table')
    v.fail(`${at}.omitAttributes`, r.omitAttributes ?? r.maskAttributes, 'unset with mode global-table', 'global tables copy whole items');
  if (r.writerRoleArn !== undefined && mode === 'global-table')
    v.fail(`${at}.writerRoleArn`, r.writerRoleArn, 'unset with mode global-table', 'global tables replicate within one account');
  if (r.writerRoleArn !== undefined && !Token.isUnresolved(r.writerRoleArn))
    v.matches(`${at}.writerRoleArn`, r.writerRoleArn, ROLE_ARN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
  if (r.table) {
    if (mode === 'global-table')
      v.fail(`${at}.table`, r.table.node.path, 'unset with mode global-table', 'a global table is one resource with replica blocks');
    const same = (a?: { name: string; type: string }, b?: { name: string; type: string }) => a?.name === b?.name && a?.type === b?.type;
    if (!same(r.table.partitionKey, props.partitionKey) || !same(r.table.sortKey, props.sortKey)) {
      const show = (p?: { name: string; type: string }, s?: { name: string; type: string }) =>
        [p, s]
          .filter(Boolean)
          .map((k) => `${k!.name}:${k!.type}`)
          .join(', ');
      v.fail(
        `${at}.table`,
        show(r.table.partitionKey, r.table.sortKey),
        `a table keyed like the replicated table (${show(props.partitionKey, props.sortKey)})`,
        'a replica write must address the same key',
      );
    }
    if (r.table.timeToLiveAttribute !== names.ttl) {
      v.fail(
        `${at}.table.timeToLiveAttribute`,
        r.table.timeToLiveAttribute,
        JSON.stringify(names.ttl),
        'tombstones carry their expiry there; with another TTL attribute deleted items would be kept forever',
      );
    }
    if (r.table.streamViewType !== 'NEW_AND_OLD_IMAGES')
      v.fail(`${at}.table.streamViewType`, r.table.streamViewType, '"NEW_AND_OLD_IMAGES"', 'the writer compares old and new versions');
    if (r.provider && r.provider !== r.table.provider)
      v.fail(`${at}.provider`, r.provider.node.path, `the provider of ${r.table.node.path}`, 'the table already has one');
  }
}
