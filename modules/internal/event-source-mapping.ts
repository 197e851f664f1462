import { TerraformProvider, Token } from 'cdktf';
import { LambdaEventSourceMappingConfig } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LIMITS } from './limits';
import { KINESIS_CONSUMER_NAME, ON_FAILURE_ARN, RFC3339, SOURCE_RULES, SourceKind } from './source-rules';
import { PropsValidator } from './validation';
import type { StreamEventSourceOptions } from '../props/event-source';

/** What the options are checked against besides the limits: the source kind, its view type and the on-failure ARN. */
export interface EventSourceContext {
  /** @default 'dynamodb-stream' */
  readonly source?: SourceKind;
  readonly streamViewType?: string;
  readonly onFailureArn?: string;
  /** The fan-out consumer's name, when it is derived rather than given. */
  readonly fanOutConsumerName?: string;
  /** How long the source keeps a record, when known (a Kinesis stream created here); DynamoDB streams: 24 h. */
  readonly retentionHours?: number;
}

/** Images each stream view type carries; a filter on a missing image never matches. */
const IMAGES: Record<string, string[]> = {
  NEW_AND_OLD_IMAGES: ['NewImage', 'OldImage'],
  NEW_IMAGE: ['NewImage'],
  OLD_IMAGE: ['OldImage'],
  KEYS_ONLY: [],
};

/** Checks the options against the rules of the source (source-rules.ts); returns the patterns as strings. */
export function validateEventSource(v: PropsValidator, o: StreamEventSourceOptions, ctx: EventSourceContext = {}): string[] {
  const kind = ctx.source ?? 'dynamodb-stream';
  const rules = SOURCE_RULES[kind];
  const arn = ctx.onFailureArn;
  if (arn !== undefined && !Token.isUnresolved(arn)) {
    v.matches(
      'onFailure.destinationArn',
      arn,
      ON_FAILURE_ARN,
      'the ARN of a standard SQS queue, an SNS topic or an S3 bucket',
      'stream mappings report failures only there; FIFO queues and topics are refused',
    );
  }
  v.integer('batchSize', o.batchSize, LIMITS.batchSize[0], LIMITS.batchSize[1], { why: `for ${rules.label}` });
  v.integer('maxBatchingWindowSeconds', o.maxBatchingWindowSeconds, LIMITS.batchingWindowSeconds[0], LIMITS.batchingWindowSeconds[1]);
  v.integer('parallelizationFactor', o.parallelizationFactor, LIMITS.parallelizationFactor[0], LIMITS.parallelizationFactor[1]);
  v.integer('retryAttempts', o.retryAttempts, LIMITS.retryAttempts[0], LIMITS.retryAttempts[1], {
    also: [-1],
    why: '-1 retries until the record expires',
  });
  v.integer('maxRecordAgeSeconds', o.maxRecordAgeSeconds, LIMITS.recordAgeSeconds[0], LIMITS.recordAgeSeconds[1], {
    also: [-1],
    why: '-1 keeps records until they expire',
  });
  validateAgainstSource(v, o, kind, ctx.retentionHours);
  v.integer('tumblingWindowSeconds', o.tumblingWindowSeconds, LIMITS.tumblingWindowSeconds[0], LIMITS.tumblingWindowSeconds[1]);
  v.oneOf('startingPosition', o.startingPosition, rules.startingPositions, rules.startingPositionWhy);
  validateStartPositionAndReaders(v, o, kind, ctx.fanOutConsumerName);

  const filters = o.filters ?? [];
  v.integer('filters.length', filters.length, 0, LIMITS.filters, { why: 'the Lambda limit of filters per event source mapping' });
  return filters.map((f, i) => {
    const prop = `filters[${i}]`;
    const pattern = typeof f === 'string' ? f : JSON.stringify(f);
    let parsed: unknown;
    try {
      parsed = JSON.parse(pattern);
    } catch (e) {
      v.fail(prop, pattern, 'a JSON object', `not valid JSON: ${(e as Error).message}`);
      return pattern;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      v.fail(prop, pattern, 'a JSON object', 'a filter pattern matches on record fields');
    } else if (rules.filterKeys) {
      const extra = Object.keys(parsed).filter((k) => !rules.filterKeys!.includes(k));
      if (extra.length) v.fail(prop, pattern, `a pattern on ${rules.filterKeys.join(', ')} only`, rules.filterKeysWhy);
    }
    checkImages(v, prop, pattern, parsed, ctx.streamViewType);
    if (pattern.length > LIMITS.filterPatternChars)
      v.fail(`${prop}.length`, pattern.length, `at most ${LIMITS.filterPatternChars} characters`, 'the Lambda limit per pattern');
    return pattern;
  });
}

/**
 * Settings AWS accepts but that cannot do what they say: a batching window on one-record batches
 * (the batch is full at the first record), a record age past the stream's retention (the record is
 * gone first), and a disabled DynamoDB stream mapping, which loses its position after 24 hours.
 */
function validateAgainstSource(v: PropsValidator, o: StreamEventSourceOptions, kind: SourceKind, retentionHours?: number): void {
  if (o.batchSize === 1 && (o.maxBatchingWindowSeconds ?? 0) > 0)
    v.fail(
      'maxBatchingWindowSeconds',
      o.maxBatchingWindowSeconds,
      '0 or unset when batchSize is 1',
      'a one-record batch is full at its first record, so the window never waits',
    );
  const retention = kind === 'kinesis' ? retentionHours : LIMITS.dynamodbStreamRetentionSeconds / 3600;
  const age = o.maxRecordAgeSeconds;
  if (retention !== undefined && !Token.isUnresolved(retention) && age !== undefined && !Token.isUnresolved(age) && age > retention * 3600)
    v.fail(
      'maxRecordAgeSeconds',
      age,
      `-1 or at most ${retention * 3600} seconds`,
      `the ${kind === 'kinesis' ? 'Kinesis stream' : 'DynamoDB stream'} keeps records ${retention} hours, so older records are gone before they reach this age`,
    );
  if (o.enabled === false && kind === 'dynamodb-stream')
    v.warn(
      'enabled',
      'false pauses the mapping, but a DynamoDB stream keeps records 24 hours: after that the mapping resumes past records it never read (docs/limits.md)',
    );
}

/** AT_TIMESTAMP needs its timestamp (and only it does); fan-out and provisioned pollers per source. */
function validateStartPositionAndReaders(
  v: PropsValidator,
  o: StreamEventSourceOptions,
  kind: SourceKind,
  derivedConsumerName?: string,
): void {
  const rules = SOURCE_RULES[kind];
  const ts = o.startingPositionTimestamp;
  if (o.startingPosition === 'AT_TIMESTAMP' && kind === 'kinesis' && ts === undefined) {
    v.fail(
      'startingPositionTimestamp',
      ts,
      'an RFC 3339 date-time such as 2026-12-01T00:00:00Z',
      'startingPosition AT_TIMESTAMP reads from that time',
    );
  } else if (ts !== undefined && o.startingPosition !== 'AT_TIMESTAMP') {
    v.fail(
      'startingPositionTimestamp',
      ts,
      'unset',
      `it applies only with startingPosition AT_TIMESTAMP${kind === 'kinesis' ? '' : ', which DynamoDB streams do not offer'}`,
    );
  } else {
    v.matches('startingPositionTimestamp', ts, RFC3339, 'an RFC 3339 date-time with a zone, such as 2026-12-01T00:00:00Z');
  }
  if (o.fanOut && !rules.fanOut) {
    v.fail(
      'fanOut',
      o.fanOut,
      'false or unset',
      'enhanced fan-out is a Kinesis feature; a DynamoDB stream allows 2 ' +
        'readers per shard, or stream the table to Kinesis with TableKinesisStream',
    );
  }
  const name = typeof o.fanOut === 'object' ? (o.fanOut.consumerName ?? derivedConsumerName) : derivedConsumerName;
  if (o.fanOut && rules.fanOut) v.matches('fanOut.consumerName', name, KINESIS_CONSUMER_NAME.pattern, KINESIS_CONSUMER_NAME.described);
  if (o.provisionedPollers !== undefined) {
    v.fail(
      'provisionedPollers',
      o.provisionedPollers,
      'unset',
      `provisioned poller mode is for Amazon MSK, self-managed Kafka and SQS mappings, not ${rules.label}`,
    );
  }
}

/** A filter on an image the stream does not carry never matches (Kinesis records for DynamoDB carry both). */
function checkImages(v: PropsValidator, prop: string, pattern: string, parsed: unknown, viewType: string | undefined): void {
  const images = IMAGES[viewType ?? ''];
  const record = (parsed as { dynamodb?: Record<string, unknown> } | null)?.dynamodb;
  for (const image of ['NewImage', 'OldImage']) {
    if (images && record && typeof record === 'object' && image in record && !images.includes(image)) {
      v.fail(
        prop,
        pattern,
        `a pattern without dynamodb.${image}`,
        `the stream view type ${viewType} carries no ${image}, so the filter would never match`,
      );
    }
  }
}

/** The aws_lambda_event_source_mapping arguments for one stream reader, with the defaults filled in. */
export function eventSourceMappingConfig(
  o: StreamEventSourceOptions,
  patterns: string[],
  target: { functionArn: string; eventSourceArn: string; onFailureArn?: string; provider?: TerraformProvider },
): LambdaEventSourceMappingConfig {
  return {
    provider: target.provider,
    eventSourceArn: target.eventSourceArn,
    functionName: target.functionArn,
    startingPosition: o.startingPosition ?? 'TRIM_HORIZON',
    startingPositionTimestamp: o.startingPositionTimestamp,
    batchSize: o.batchSize ?? 100,
    maximumBatchingWindowInSeconds: o.maxBatchingWindowSeconds,
    parallelizationFactor: o.parallelizationFactor,
    maximumRetryAttempts: o.retryAttempts ?? 3,
    maximumRecordAgeInSeconds: o.maxRecordAgeSeconds ?? 86400,
    bisectBatchOnFunctionError: o.bisectBatchOnError ?? true,
    tumblingWindowInSeconds: o.tumblingWindowSeconds,
    functionResponseTypes: (o.reportBatchItemFailures ?? true) ? ['ReportBatchItemFailures'] : undefined,
    filterCriteria: patterns.length ? { filter: patterns.map((pattern) => ({ pattern })) } : undefined,
    destinationConfig: target.onFailureArn ? { onFailure: { destinationArn: target.onFailureArn } } : undefined,
    metricsConfig: o.eventCountMetrics ? { metrics: ['EventCount'] } : undefined,
    enabled: o.enabled ?? true,
  };
}
