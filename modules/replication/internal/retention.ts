import { Token } from 'cdktf';
import { LIMITS } from '../../internal/limits';
import type { PropsValidator } from '../../internal/validation';
import type { ReplicatedTableProps } from '../props';

/**
 * The record age at which a writer's mapping gives up, derived from how long its source keeps
 * records (docs/replication-protocol.md, "What a writer's mapping gives up").
 *
 * With the per-target backlog a writer reports a record as failed only when its own region fails
 * it (the backlog, the state table or the source table cannot be written) or it crashes: retrying
 * is right while that lasts, so retries are unlimited and the record's age bounds them. Giving up
 * sends the whole batch to the writer's S3 bucket (Lambda writes the records themselves there), so
 * what was given up no longer depends on the stream. But the limit must leave the mapping time to
 * read the records queued behind a given-up batch before the stream trims them: at the stream's
 * retention (or with -1, "until the record expires") the stream drops them first, and Lambda
 * skips trimmed records without an on-failure record, so they would be lost without a trace.
 * Hence half the retention by default, and at most the retention less one hour.
 */
export const RECORD_AGE_MARGIN_SECONDS = 3600;

/** Seconds the writers' source keeps a record: 24 h for a DynamoDB stream, the Kinesis stream's retention otherwise. */
export function sourceRetentionSeconds(props: ReplicatedTableProps): number {
  if (props.changeSource === 'kinesis') return (props.kinesisStream?.retentionHours ?? 24) * 3600;
  return LIMITS.dynamodbStreamRetentionSeconds;
}

/** The writers' maximum record age: the one given, or half the source's retention (at most the API's 7 days). */
export function writerRecordAgeSeconds(props: ReplicatedTableProps): number {
  const given = props.writer?.maxRecordAgeSeconds;
  if (given !== undefined) return given;
  const retention = sourceRetentionSeconds(props);
  if (Token.isUnresolved(retention)) return LIMITS.dynamodbStreamRetentionSeconds / 2;
  return Math.min(LIMITS.recordAgeSeconds[1], Math.floor(retention / 2));
}

/** Refuses a record age that lets the source trim records before the writer gives up on them. */
export function checkWriterRecordAge(v: PropsValidator, props: ReplicatedTableProps): void {
  const given = props.writer?.maxRecordAgeSeconds;
  if (given === undefined || Token.isUnresolved(given)) return;
  const retention = sourceRetentionSeconds(props);
  if (Token.isUnresolved(retention)) return;
  const max = Math.min(LIMITS.recordAgeSeconds[1], retention - RECORD_AGE_MARGIN_SECONDS);
  const source =
    props.changeSource === 'kinesis'
      ? `the Kinesis stream keeps records ${retention / 3600} hours`
      : 'a DynamoDB stream keeps records 24 hours';
  if (!Number.isInteger(given) || given < LIMITS.recordAgeSeconds[0] || given > max)
    v.fail(
      'writer.maxRecordAgeSeconds',
      given,
      `${LIMITS.recordAgeSeconds[0]}..${max} seconds (not -1)`,
      `${source}; a writer must give up on a record (its batch goes whole to the writer's S3 bucket) at least an hour before ` +
        'the stream trims it, or the records queued behind it are trimmed unread and lost without a trace',
    );
}
