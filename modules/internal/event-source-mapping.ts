import { TerraformProvider, Token } from 'cdktf';
import { LambdaEventSourceMappingConfig } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LIMITS } from './limits';
import { KINESIS_CONSUMER_NAME, ON_FAILURE_ARN, RFC3339, SOURCE_RULES, SourceKind } from './source-rules';
import { PropsValidator } from './validation';

/**
 * Where a new mapping starts reading: the oldest record kept, new records only, or (Kinesis only)
 * the first record at or after `startingPositionTimestamp`.
 */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** An event filter pattern: a JSON string, or an object that is serialised to one. */
export type FilterPattern = string | Record<string, unknown>;

/** An enhanced fan-out consumer of a Kinesis stream (dedicated 2 MB/s per shard, pushed over HTTP/2). */
export interface FanOutOptions {
  /** Consumer name, 1..128 characters of [a-zA-Z0-9_.-]; unique per stream. @default derived from the construct path */
  readonly consumerName?: string;
}

/** Lambda's provisioned poller mode; accepted only to refuse it with the reason (stream sources have none). */
export interface ProvisionedPollerOptions {
  /** Pollers kept ready (Kafka and SQS mappings: 1..200). Refused for stream sources. @default none */
  readonly minimumPollers?: number;
  /** Most pollers (Kafka and SQS mappings: 1..2000). Refused for stream sources. @default none */
  readonly maximumPollers?: number;
}

/**
 * How the event source mapping reads the table's stream. The defaults are production defaults:
 * a poison record is retried 3 times at most, bisected to isolate it, then sent to the on-failure
 * destination, instead of blocking its shard for the 24 hours of stream retention.
 */
export interface StreamEventSourceOptions {
  /** Most records per invocation, 1..10000. @default 100 */
  readonly batchSize?: number;
  /** Seconds to gather records before invoking, 0..300. @default 0 */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent batches per shard, 1..10; order is kept per partition key. @default 1 */
  readonly parallelizationFactor?: number;
  /** Retries of a failed batch, -1 (until the record expires) or 0..10000. @default 3 */
  readonly retryAttempts?: number;
  /** Records older than this are discarded (and reported to onFailure), -1 (never) or 60..604800 seconds. @default 86400 */
  readonly maxRecordAgeSeconds?: number;
  /** Split a failing batch in two and retry each half (does not use up retries). @default true */
  readonly bisectBatchOnError?: boolean;
  /** Tumbling window for stateful aggregation, 0..900 seconds; the handler must then return `state`. @default none */
  readonly tumblingWindowSeconds?: number;
  /**
   * Where a new mapping starts: the oldest record kept (TRIM_HORIZON), new records only (LATEST),
   * or, for a Kinesis source, the first record at or after `startingPositionTimestamp`
   * (AT_TIMESTAMP). DynamoDB streams accept only the first two.
   * @default 'TRIM_HORIZON'
   */
  readonly startingPosition?: StartingPosition;
  /**
   * With startingPosition AT_TIMESTAMP (Kinesis only, and then required): an RFC 3339 date-time
   * with a zone, e.g. `2026-12-01T00:00:00Z`. A time before the trim horizon starts at the oldest record.
   * @default none
   */
  readonly startingPositionTimestamp?: string;
  /**
   * Kinesis only: read through an enhanced fan-out consumer (`aws_kinesis_stream_consumer`) with
   * its own 2 MB/s per shard and records pushed within ~70 ms, instead of polling with the
   * throughput every shared reader splits. At most 20 per stream. `true` names the consumer after
   * the construct path. Extra cost per consumer-shard hour and per GB read.
   * @default false (shared throughput)
   */
  readonly fanOut?: boolean | FanOutOptions;
  /**
   * Must stay unset: provisioned poller mode exists for Amazon MSK, self-managed Kafka and SQS
   * mappings, not for DynamoDB or Kinesis streams. The prop exists so the refusal can say so.
   * @default none
   */
  readonly provisionedPollers?: ProvisionedPollerOptions;
  /**
   * The handler returns `{ batchItemFailures }` and Lambda retries from the first failed record
   * only. Turn off for handlers that do not return that shape: otherwise Lambda reads any other
   * response as "all succeeded". @default true
   */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Event filter patterns (at most 10, each at most 4096 characters of JSON); a record is delivered
   * when it matches any. Records that match none are dropped without invoking. @default none
   */
  readonly filters?: FilterPattern[];
  /** Publish the mapping's EventCount metrics (extra CloudWatch cost). @default false */
  readonly eventCountMetrics?: boolean;
  /** Whether the mapping polls. Disable to pause a consumer without losing its position. @default true */
  readonly enabled?: boolean;
}

/** What the options are checked against besides the limits: the source kind, its view type and the on-failure ARN. */
export interface EventSourceContext {
  /** @default 'dynamodb-stream' */
  readonly source?: SourceKind;
  readonly streamViewType?: string;
  readonly onFailureArn?: string;
  /** The fan-out consumer's name, when it is derived rather than given. */
  readonly fanOutConsumerName?: string;
}

/** Images each stream view type carries; a filter on a missing image never matches. */
const IMAGES: Record<string, string[]> = { NEW_AND_OLD_IMAGES: ['NewImage', 'OldImage'], NEW_IMAGE: ['NewImage'], OLD_IMAGE: ['OldImage'], KEYS_ONLY: [] };

/** Checks the options against the rules of the source (source-rules.ts); returns the patterns as strings. */
export function validateEventSource(v: PropsValidator, o: StreamEventSourceOptions, ctx: EventSourceContext = {}): string[] {
  const kind = ctx.source ?? 'dynamodb-stream';
  const rules = SOURCE_RULES[kind];
  const arn = ctx.onFailureArn;
  if (arn !== undefined && !Token.isUnresolved(arn)) {
    v.matches('onFailure.destinationArn', arn, ON_FAILURE_ARN, 'the ARN of a standard SQS queue, an SNS topic or an S3 bucket', 'stream mappings report failures only there; FIFO queues and topics are refused');
  }
  v.integer('batchSize', o.batchSize, LIMITS.batchSize[0], LIMITS.batchSize[1], { why: `for ${rules.label}` });
  v.integer('maxBatchingWindowSeconds', o.maxBatchingWindowSeconds, LIMITS.batchingWindowSeconds[0], LIMITS.batchingWindowSeconds[1]);
  v.integer('parallelizationFactor', o.parallelizationFactor, LIMITS.parallelizationFactor[0], LIMITS.parallelizationFactor[1]);
  v.integer('retryAttempts', o.retryAttempts, LIMITS.retryAttempts[0], LIMITS.retryAttempts[1], { also: [-1], why: '-1 retries until the record expires' });
  v.integer('maxRecordAgeSeconds', o.maxRecordAgeSeconds, LIMITS.recordAgeSeconds[0], LIMITS.recordAgeSeconds[1], { also: [-1], why: '-1 keeps records until they expire' });
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
    if (pattern.length > LIMITS.filterPatternChars) v.fail(`${prop}.length`, pattern.length, `at most ${LIMITS.filterPatternChars} characters`, 'the Lambda limit per pattern');
    return pattern;
  });
}

/** AT_TIMESTAMP needs its timestamp (and only it does); fan-out and provisioned pollers per source. */
function validateStartPositionAndReaders(v: PropsValidator, o: StreamEventSourceOptions, kind: SourceKind, derivedConsumerName?: string): void {
  const rules = SOURCE_RULES[kind];
  const ts = o.startingPositionTimestamp;
  if (o.startingPosition === 'AT_TIMESTAMP' && kind === 'kinesis' && ts === undefined) {
    v.fail('startingPositionTimestamp', ts, 'an RFC 3339 date-time such as 2026-12-01T00:00:00Z', 'startingPosition AT_TIMESTAMP reads from that time');
  } else if (ts !== undefined && o.startingPosition !== 'AT_TIMESTAMP') {
    v.fail('startingPositionTimestamp', ts, 'unset', `it applies only with startingPosition AT_TIMESTAMP${kind === 'kinesis' ? '' : ', which DynamoDB streams do not offer'}`);
  } else {
    v.matches('startingPositionTimestamp', ts, RFC3339, 'an RFC 3339 date-time with a zone, such as 2026-12-01T00:00:00Z');
  }
  if (o.fanOut && !rules.fanOut) {
    v.fail('fanOut', o.fanOut, 'false or unset', 'enhanced fan-out is a Kinesis feature; a DynamoDB stream allows 2 readers per shard, or stream the table to Kinesis with TableKinesisStream');
  }
  const name = typeof o.fanOut === 'object' ? o.fanOut.consumerName ?? derivedConsumerName : derivedConsumerName;
  if (o.fanOut && rules.fanOut) v.matches('fanOut.consumerName', name, KINESIS_CONSUMER_NAME.pattern, KINESIS_CONSUMER_NAME.described);
  if (o.provisionedPollers !== undefined) {
    v.fail('provisionedPollers', o.provisionedPollers, 'unset', `provisioned poller mode is for Amazon MSK, self-managed Kafka and SQS mappings, not ${rules.label}`);
  }
}

/** A filter on an image the stream does not carry never matches (Kinesis records for DynamoDB carry both). */
function checkImages(v: PropsValidator, prop: string, pattern: string, parsed: unknown, viewType: string | undefined): void {
  const images = IMAGES[viewType ?? ''];
  const record = (parsed as { dynamodb?: Record<string, unknown> } | null)?.dynamodb;
  for (const image of ['NewImage', 'OldImage']) {
    if (images && record && typeof record === 'object' && image in record && !images.includes(image)) {
      v.fail(prop, pattern, `a pattern without dynamodb.${image}`, `the stream view type ${viewType} carries no ${image}, so the filter would never match`);
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
