/**
 * Safety regressions: the usual steps before data is lost. Deletion protection or point-in-time
 * recovery switched off, `prevent_destroy` removed, a stream disabled, retention shortened,
 * encryption downgraded. Each is an update Terraform applies quietly; each is an alert here.
 */
import { ChangeSet, ResourceChange, UNKNOWN } from './changes';
import type { Finding } from './findings';
import { code } from './format';

type Check = (before: Record<string, any>, after: Record<string, any>) => { label: string; text: string } | undefined;

const first = (v: unknown): Record<string, any> | undefined =>
  Array.isArray(v) ? v[0] : v && typeof v === 'object' ? (v as any) : undefined;
const known = (v: unknown) => v !== UNKNOWN;

const deletionProtection: Check = (b, a) =>
  b.deletion_protection_enabled === true && a.deletion_protection_enabled !== true && known(a.deletion_protection_enabled)
    ? {
        label: 'DELETION PROTECTION OFF',
        text: 'deletion protection is switched off: a later destroy (or a mistaken replace) now succeeds.',
      }
    : undefined;

const pitr: Check = (b, a) => {
  // A block on tables, a plain bool on aws_dynamodb_table_replica.
  const on = (v: unknown) => v === true || first(v)?.enabled === true;
  const settled = (v: unknown) => known(v) && known(first(v)?.enabled);
  return on(b.point_in_time_recovery) && !on(a.point_in_time_recovery) && settled(a.point_in_time_recovery)
    ? {
        label: 'PITR OFF',
        text: 'point-in-time recovery is switched off: the continuous backups are dropped and the table can no longer be restored to a point before a bad write or a delete.',
      }
    : undefined;
};

const streamDisabled: Check = (b, a) =>
  b.stream_enabled === true && a.stream_enabled !== true && known(a.stream_enabled)
    ? {
        label: 'STREAM DISABLED',
        text: 'the stream is switched off: new writes are no longer captured, so mappings, replicas and other consumers stop receiving changes; the old stream stays readable for 24 h, then its unprocessed records are gone.',
      }
    : undefined;

/** A retention argument that shrinks; `unset` is the AWS default when it is null (log groups: 0 = never expire). */
function retention(attr: string, unit: string, unset: number, what: string): Check {
  const forever = (v: number) => attr === 'retention_in_days' && v === 0;
  const show = (v: number) => (forever(v) ? 'never expire' : `${v} ${unit}`);
  return (b, a) => {
    if (a[attr] === UNKNOWN) return undefined;
    const before = typeof b[attr] === 'number' ? b[attr] : unset;
    const after = typeof a[attr] === 'number' ? a[attr] : unset;
    const shorter = !forever(after) && (forever(before) || after < before);
    return shorter
      ? {
          label: 'RETENTION SHORTENED',
          text: `${code(attr)}: ${show(before)} -> ${show(after)}: ${what} older than the new limit are deleted.`,
        }
      : undefined;
  };
}

/** Encryption strength: 3 customer managed key, 2 AWS managed key, 1 AWS owned / service key, 0 none. */
function encryption(level: (v: Record<string, any>) => number | undefined): Check {
  const names = ['no encryption', 'an AWS owned key', 'the AWS managed key', 'a customer managed KMS key'];
  return (b, a) => {
    const before = level(b);
    const after = level(a);
    return before !== undefined && after !== undefined && after < before
      ? {
          label: 'ENCRYPTION DOWNGRADED',
          text: `from ${names[before]} to ${names[after]}${after === 0 ? ': data at rest is no longer encrypted' : ': your key policy and CloudTrail key-use records no longer guard the data'}.`,
        }
      : undefined;
  };
}

const keyId = (v: unknown) => (v === UNKNOWN ? 'unknown' : typeof v === 'string' && v !== '' ? v : undefined);

const dynamodbSse = encryption((v) => {
  const sse = first(v.server_side_encryption);
  if (sse?.enabled === UNKNOWN) return undefined;
  if (sse?.enabled !== true) return 1;
  const key = keyId(sse.kms_key_arn);
  return key && key !== 'unknown' && /alias\/aws\/dynamodb$/.test(key) ? 2 : key ? 3 : 2;
});

const sqsSse = encryption((v) => {
  const key = keyId(v.kms_master_key_id);
  if (key) return /alias\/aws\/sqs$/.test(key) ? 2 : 3;
  return v.sqs_managed_sse_enabled === false ? 0 : v.sqs_managed_sse_enabled === UNKNOWN ? undefined : 1;
});

const snsSse = encryption((v) => {
  const key = keyId(v.kms_master_key_id);
  return key ? (/alias\/aws\/sns$/.test(key) ? 2 : 3) : 0;
});

const kinesisSse = encryption((v) =>
  v.encryption_type === UNKNOWN ? undefined : v.encryption_type === 'KMS' ? (/alias\/aws\/kinesis$/.test(String(v.kms_key_id)) ? 2 : 3) : 0,
);

const keyRotation: Check = (b, a) =>
  b.enable_key_rotation === true && a.enable_key_rotation === false
    ? { label: 'KEY ROTATION OFF', text: 'automatic key rotation is switched off.' }
    : undefined;

const versioning: Check = (b, a) => {
  const status = (v: Record<string, any>) => first(v.versioning_configuration)?.status;
  return status(b) === 'Enabled' && status(a) !== 'Enabled' && known(status(a))
    ? { label: 'VERSIONING SUSPENDED', text: 'new overwrites and deletes no longer keep the previous object version.' }
    : undefined;
};

const CHECKS: Readonly<Record<string, readonly Check[]>> = {
  aws_dynamodb_table: [deletionProtection, pitr, streamDisabled, dynamodbSse],
  aws_dynamodb_table_replica: [deletionProtection, pitr],
  aws_kinesis_stream: [retention('retention_period', 'h', 24, 'records'), kinesisSse],
  aws_sqs_queue: [retention('message_retention_seconds', 's', 345600, 'messages'), sqsSse],
  aws_sns_topic: [snsSse],
  aws_cloudwatch_log_group: [retention('retention_in_days', 'days', 0, 'log events')],
  aws_kms_key: [keyRotation],
  aws_s3_bucket_versioning: [versioning],
};

export function safetyFindings(set: ChangeSet): Finding[] {
  const out: Finding[] = [];
  for (const c of set.changes) {
    if ((c.action !== 'update' && c.action !== 'replace') || !c.before || !c.after) continue;
    for (const check of CHECKS[c.type] ?? []) {
      const r = check(c.before as Record<string, any>, c.after as Record<string, any>);
      if (r) out.push(alert(c, r.label, r.text));
    }
  }
  for (const g of set.guards ?? []) {
    const deleted = set.changes.some((c) => c.stack === g.stack && c.address === g.address && c.action === 'delete');
    out.push({
      kind: 'safety',
      severity: 'alert',
      stack: g.stack,
      address: g.address,
      label: 'PREVENT_DESTROY REMOVED',
      text: deleted
        ? '`lifecycle.prevent_destroy` goes away with the resource, so nothing stops the destroy.'
        : '`lifecycle.prevent_destroy` is removed: Terraform will no longer refuse a plan that destroys or replaces it.',
    });
  }
  return out;
}

function alert(c: ResourceChange, label: string, text: string): Finding {
  return { kind: 'safety', severity: 'alert', stack: c.stack, address: c.address, label, text };
}
