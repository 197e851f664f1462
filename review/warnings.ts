/**
 * The loud part of the review: changes that lose data or make consumers reprocess or skip
 * records. A replaced or destroyed table loses its items; a new stream (stream_enabled or
 * stream_view_type changed) gets a new ARN and mappings lose their position; a replaced mapping
 * starts again from its starting position; a removed replica deletes that region's copy; a
 * replaced or destroyed queue or bucket loses the messages or objects in it (on-failure records included).
 */
import { ResourceChange, cmp, pathKey } from './changes';
import { STREAM_ARGUMENTS } from './force-new';
import { formatChange } from './format';

export interface Warning {
  readonly stack: string;
  readonly address: string;
  /** Short label shown in bold: what kind of harm. */
  readonly label: string;
  readonly text: string;
}

function forcedBy(c: ResourceChange): string {
  const forced = c.attributes.filter((a) => a.forcesReplacement);
  return forced.length ? ` Forced by ${forced.map(formatChange).join('; ')}.` : '';
}

function regions(v: unknown): Set<string> {
  return new Set((Array.isArray(v) ? v : []).map((r: any) => String(r?.region_name)));
}

function tableWarnings(c: ResourceChange): Omit<Warning, 'stack' | 'address'>[] {
  if (c.action === 'replace')
    return [
      {
        label: 'TABLE REPLACED',
        text: `Terraform deletes the table and creates an empty one: all items are lost, and its stream gets a new ARN.${forcedBy(c)}`,
      },
    ];
  if (c.action === 'delete') {
    const guarded =
      c.before?.deletion_protection_enabled === true ? ' Deletion protection is on, so the apply fails until it is switched off.' : '';
    return [{ label: 'TABLE DESTROYED', text: `All items are lost.${guarded}` }];
  }
  if (c.action !== 'update') return [];
  const out: Omit<Warning, 'stack' | 'address'>[] = [];
  const stream = c.attributes.filter((a) => STREAM_ARGUMENTS.includes(pathKey(a.path)));
  // Switched off: a safety regression (safety.ts). Switched on: a new stream, nothing to lose.
  if (stream.length && c.before?.stream_enabled === true && c.after?.stream_enabled === true) {
    out.push({ label: 'NEW STREAM', text: `${stream.map(formatChange).join('; ')}: ${newStreamEffect(c)}` });
  }
  const removed = [...regions(c.before?.replica)].filter((r) => !regions(c.after?.replica).has(r)).sort();
  if (removed.length)
    out.push({ label: 'REPLICA REMOVED', text: `replica in ${removed.map((r) => `\`${r}\``).join(', ')} is deleted with its items.` });
  return out;
}

/** Stream record images each view type carries. */
const IMAGES: Readonly<Record<string, readonly string[]>> = {
  KEYS_ONLY: [],
  NEW_IMAGE: ['NewImage'],
  OLD_IMAGE: ['OldImage'],
  NEW_AND_OLD_IMAGES: ['NewImage', 'OldImage'],
};

function newStreamEffect(c: ResourceChange): string {
  const was = IMAGES[String(c.before?.stream_view_type)] ?? [];
  const now = IMAGES[String(c.after?.stream_view_type)];
  const lost = now ? was.filter((i) => !now.includes(i)) : [];
  const images = lost.length
    ? ` Records no longer carry ${lost.map((i) => `\`${i}\``).join(' or ')}: consumers that read ${lost.length > 1 ? 'them' : 'it'} (a replica writer, a change feed) get ${c.after?.stream_view_type === 'KEYS_ONLY' ? 'only the keys' : 'nothing there'}.`
    : '';
  return (
    'DynamoDB closes the stream and opens a new, empty one with a new ARN. Mappings on the old stream are replaced and start on the new one: nothing is delivered again, ' +
    "but what they had not processed yet (the old stream's backlog, see IteratorAge) is not carried over; the old stream stays readable for 24 h with nothing reading it." +
    images
  );
}

/** True when the mapping is replaced because it will read another stream (new stream ARN, replaced table). */
const readsNewStream = (c: ResourceChange) => c.attributes.some((a) => a.forcesReplacement && pathKey(a.path) === 'event_source_arn');

function oneWarning(c: ResourceChange): Omit<Warning, 'stack' | 'address'>[] {
  const gone = c.action === 'replace' ? 'REPLACED' : c.action === 'delete' ? 'DESTROYED' : undefined;
  switch (c.type) {
    case 'aws_dynamodb_table':
      return tableWarnings(c);
    case 'aws_dynamodb_table_replica':
    case 'aws_dynamodb_global_table':
      return gone ? [{ label: `REPLICA ${gone}`, text: `the replica table is deleted with its items.${forcedBy(c)}` }] : [];
    case 'aws_lambda_event_source_mapping': {
      if (c.action === 'delete')
        return [{ label: 'MAPPING DESTROYED', text: 'the stream is no longer consumed; records older than the 24 h retention are lost.' }];
      if (c.action !== 'replace') return [];
      const start = String(c.after?.starting_position ?? 'unknown');
      const effect = readsNewStream(c)
        ? "it reads a new, empty stream, so nothing is delivered again; records the old mapping had not processed yet (the old stream's backlog) are not read by it"
        : start === 'LATEST'
          ? 'records written while the mapping is switched are skipped'
          : start === 'TRIM_HORIZON'
            ? 'up to 24 h of records already processed are delivered again'
            : 'records may be skipped or delivered again';
      return [{ label: 'MAPPING REPLACED', text: `the new mapping starts at \`${start}\`: ${effect}.${forcedBy(c)}` }];
    }
    case 'aws_sqs_queue':
      return gone ? [{ label: `QUEUE ${gone}`, text: `messages in the queue (on-failure records included) are lost.${forcedBy(c)}` }] : [];
    case 'aws_s3_bucket':
      return gone
        ? [
            {
              label: `BUCKET ${gone}`,
              text: `the bucket's objects (on-failure records included) are deleted with it; without \`force_destroy\` the apply fails while it holds objects.${forcedBy(c)}`,
            },
          ]
        : [];
    default:
      return [];
  }
}

/** Every destructive warning in a change list, sorted by stack and address. */
export function destructiveWarnings(changes: ResourceChange[]): Warning[] {
  return changes
    .flatMap((c) => oneWarning(c).map((w) => ({ stack: c.stack, address: c.address, ...w })))
    .sort((x, y) => cmp(x.stack, y.stack) || cmp(x.address, y.address) || cmp(x.label, y.label));
}
