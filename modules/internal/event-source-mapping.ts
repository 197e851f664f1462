import { TerraformProvider, Token } from 'cdktf';
import { LambdaEventSourceMappingConfig } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';
import type { StartingPosition, StreamEventSourceOptions } from '../props/event-source';

const STARTING_POSITIONS: readonly StartingPosition[] = ['TRIM_HORIZON', 'LATEST'];

/** What the options are checked against besides the limits: the stream's view type and the on-failure ARN. */
export interface EventSourceContext {
  readonly streamViewType?: string;
  readonly onFailureArn?: string;
}

/** Images each stream view type carries; a filter on a missing image never matches. */
const IMAGES: Record<string, string[]> = { NEW_AND_OLD_IMAGES: ['NewImage', 'OldImage'], NEW_IMAGE: ['NewImage'], OLD_IMAGE: ['OldImage'], KEYS_ONLY: [] };

/** Checks the options against the AWS limits for DynamoDB stream sources; returns the patterns as strings. */
export function validateEventSource(v: PropsValidator, o: StreamEventSourceOptions, ctx: EventSourceContext = {}): string[] {
  const arn = ctx.onFailureArn;
  if (arn !== undefined && !Token.isUnresolved(arn)) {
    v.matches('onFailure.destinationArn', arn, /^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'the ARN of a standard SQS queue or SNS topic', 'DynamoDB stream mappings report failures only there; FIFO queues and topics are refused');
  }
  v.integer('batchSize', o.batchSize, LIMITS.batchSize[0], LIMITS.batchSize[1], { why: 'for a DynamoDB stream' });
  v.integer('maxBatchingWindowSeconds', o.maxBatchingWindowSeconds, LIMITS.batchingWindowSeconds[0], LIMITS.batchingWindowSeconds[1]);
  v.integer('parallelizationFactor', o.parallelizationFactor, LIMITS.parallelizationFactor[0], LIMITS.parallelizationFactor[1]);
  v.integer('retryAttempts', o.retryAttempts, LIMITS.retryAttempts[0], LIMITS.retryAttempts[1], { also: [-1], why: '-1 retries until the record expires' });
  v.integer('maxRecordAgeSeconds', o.maxRecordAgeSeconds, LIMITS.recordAgeSeconds[0], LIMITS.recordAgeSeconds[1], { also: [-1], why: '-1 keeps records until they expire' });
  v.integer('tumblingWindowSeconds', o.tumblingWindowSeconds, LIMITS.tumblingWindowSeconds[0], LIMITS.tumblingWindowSeconds[1]);
  v.oneOf('startingPosition', o.startingPosition, STARTING_POSITIONS, 'AT_TIMESTAMP is for Kinesis and MSK, not DynamoDB streams');

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
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) v.fail(prop, pattern, 'a JSON object', 'a filter pattern matches on record fields');
    const images = IMAGES[ctx.streamViewType ?? ''];
    const record = (parsed as { dynamodb?: Record<string, unknown> } | null)?.dynamodb;
    for (const image of ['NewImage', 'OldImage']) {
      if (images && record && typeof record === 'object' && image in record && !images.includes(image)) {
        v.fail(prop, pattern, `a pattern without dynamodb.${image}`, `the stream view type ${ctx.streamViewType} carries no ${image}, so the filter would never match`);
      }
    }
    if (pattern.length > LIMITS.filterPatternChars) v.fail(`${prop}.length`, pattern.length, `at most ${LIMITS.filterPatternChars} characters`, 'the Lambda limit per pattern');
    return pattern;
  });
}

/** The aws_lambda_event_source_mapping arguments for one stream reader, with the defaults filled in. */
export function eventSourceMappingConfig(
  o: StreamEventSourceOptions,
  patterns: string[],
  target: { functionArn: string; streamArn: string; onFailureArn?: string; provider?: TerraformProvider },
): LambdaEventSourceMappingConfig {
  return {
    provider: target.provider,
    eventSourceArn: target.streamArn,
    functionName: target.functionArn,
    startingPosition: o.startingPosition ?? 'TRIM_HORIZON',
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
