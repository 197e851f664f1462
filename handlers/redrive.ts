/**
 * Redrive: the Lambda behind the SQS on-failure queue of a stream consumer (design.md, "SNS/SQS
 * on-failure destinations, and a redrive function"). For each on-failure record it reads the failed
 * range back from the stream (handlers/internal/redrive-read.ts), invokes the consumer again with
 * those records and retries what fails (redrive-invoke.ts), and parks in the "parked" queue what
 * still fails or can no longer be read (redrive-park.ts). A message whose parking fails is
 * reported in batchItemFailures, so SQS delivers it again: nothing is deleted before it is safe.
 * Delivery to the consumer is at least once, as with the mapping: a message handled again
 * re-invokes the consumer with records that had already succeeded, so consumers are idempotent.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from './internal/errors';
import { DEFAULT_PARK_MAX_BYTES } from './internal/config';
import { Invoker, lambdaInvoker, retryRecords } from './internal/redrive-invoke';
import { matchesAny, parsePatterns } from './internal/redrive-filter';
import { MalformedMessageError, OnFailureRecord, parseOnFailureRecord } from './internal/redrive-message';
import { originOf, RedriveParker, sqsRedriveParker } from './internal/redrive-park';
import { readRange, regionOf } from './internal/redrive-read';
import { configFromEnv, RedriveConfig, RedriveTally } from './internal/redrive-config';

export { REDRIVE_ENV, configFromEnv as redriveConfigFromEnv } from './internal/redrive-config';
export type { RedriveConfig, RedriveTally } from './internal/redrive-config';
export { lambdaInvoker } from './internal/redrive-invoke';
export type { Invoker, InvokeResult } from './internal/redrive-invoke';
export type { ParkedRedrive, RedriveParker } from './internal/redrive-park';

export interface RedriveHandlerOptions {
  /** @default configFromEnv(process.env) */
  readonly config?: RedriveConfig;
  /** Reads the stream of a range's region. @default a DynamoDBStreamsClient for that region */
  readonly streams?: (region: string) => DynamoDBStreamsClient;
  /** @default Lambda Invoke (RequestResponse) through @aws-sdk/client-lambda */
  readonly invoker?: Invoker;
  /** @default SendMessage to the parked queue */
  readonly parker?: RedriveParker;
  /** Called with each invocation's counts after metrics are published (tests, local runs). */
  readonly onInvocation?: (tally: RedriveTally) => void;
}

export type RedriveHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

const newTally = (): RedriveTally => ({ messages: 0, rangesRedriven: 0, rangesUnreadable: 0, recordsRead: 0, recordsFiltered: 0, recordsRetried: 0, recordsSucceeded: 0, recordsParked: 0, messagesFailed: 0 });

/** Builds the handler and its clients (once per container). */
export function createRedriveHandler(options: RedriveHandlerOptions = {}): RedriveHandler {
  const config = options.config ?? configFromEnv();
  const streamClients = new Map<string, DynamoDBStreamsClient>();
  const streams =
    options.streams ??
    ((region: string) => {
      let c = streamClients.get(region);
      if (!c) streamClients.set(region, (c = new DynamoDBStreamsClient({ region, maxAttempts: config.sdkMaxAttempts })));
      return c;
    });
  const invoker = options.invoker ?? lambdaInvoker({ maxAttempts: config.sdkMaxAttempts });
  const parker = options.parker ?? sqsRedriveParker(new SQSClient({ maxAttempts: config.sdkMaxAttempts }), config.parkedQueueUrl, config.parkMaxBytes ?? DEFAULT_PARK_MAX_BYTES);
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dynamodb-stream-redrive' });
  const patterns = parsePatterns(config.filterPatterns ?? []);
  const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'DynamoDBStreamRedrive' });

  /** Redrives one on-failure record; throws only when something could not be parked (or read, transiently). */
  async function redrive(message: SQSRecord, failure: OnFailureRecord, tally: RedriveTally): Promise<void> {
    const origin = originOf(message.messageId, failure);
    const now = () => new Date().toISOString();
    const read = await readRange(streams(regionOf(failure.range.streamArn)), failure.range);
    if (!read.readable) {
      tally.rangesUnreadable++;
      logger.warn('failed range is no longer readable; parked its coordinates', { ...failure.range, reason: read.reason, functionArn: failure.functionArn });
      await parker.park({ kind: 'range', reason: read.reason, parkedAt: now(), origin });
      return;
    }
    tally.rangesRedriven++;
    tally.recordsRead += read.records.length;
    for (const gap of read.gaps) {
      tally.rangesUnreadable++;
      logger.warn('part of the failed range is no longer readable; parked its coordinates', { ...failure.range, reason: gap });
      await parker.park({ kind: 'range', reason: gap, parkedAt: now(), origin });
    }
    // The mapping never gave the function the records its filters drop: neither does the redrive.
    const records = read.records.filter((r) => matchesAny(r, patterns));
    tally.recordsFiltered += read.records.length - records.length;
    const outcome = await retryRecords(invoker, failure.functionArn, records, config.maxAttempts, config.invokeBatchSize);
    tally.recordsRetried += outcome.recordsRetried;
    tally.recordsSucceeded += outcome.succeeded.length;
    for (const { record, reason } of outcome.failed) {
      await parker.park({ kind: 'record', reason, parkedAt: now(), origin, omitted: [], record });
      tally.recordsParked++;
    }
    logger.info('failed range redriven', {
      ...failure.range,
      functionArn: failure.functionArn,
      condition: failure.condition,
      records: read.records.length,
      filtered: read.records.length - records.length,
      succeeded: outcome.succeeded.length,
      parked: outcome.failed.length,
      invocations: outcome.invocations,
    });
  }

  return async (event, context) => {
    const tally = newTally();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records ?? []) {
      tally.messages++;
      try {
        let failure: OnFailureRecord;
        try {
          failure = parseOnFailureRecord(message.body);
        } catch (e) {
          if (!(e instanceof MalformedMessageError)) throw e;
          logger.error('message is not a DynamoDB on-failure record; parked as it came', { messageId: message.messageId, reason: e.message });
          await parker.park({ kind: 'message', reason: `MalformedMessage: ${e.message}`, parkedAt: new Date().toISOString(), origin: originOf(message.messageId), body: message.body });
          continue;
        }
        await redrive(message, failure, tally);
      } catch (e) {
        // Parking failed (or the stream read failed transiently): SQS keeps the message and
        // delivers it again after the visibility timeout.
        tally.messagesFailed++;
        logger.error('message not redriven; SQS will deliver it again', { messageId: message.messageId, error: describeError(e) });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    publish(metrics, tally);
    logger.info('redrive batch done', { ...tally, awsRequestId: context?.awsRequestId });
    options.onInvocation?.(tally);
    return { batchItemFailures };
  };
}

function publish(metrics: Metrics, t: RedriveTally): void {
  const c = MetricUnit.Count;
  metrics.addMetric('RangesRedriven', c, t.rangesRedriven);
  metrics.addMetric('RangesUnreadable', c, t.rangesUnreadable);
  metrics.addMetric('RecordsFiltered', c, t.recordsFiltered);
  metrics.addMetric('RecordsRetried', c, t.recordsRetried);
  metrics.addMetric('RecordsSucceeded', c, t.recordsSucceeded);
  metrics.addMetric('RecordsParked', c, t.recordsParked);
  metrics.addMetric('MessagesFailed', c, t.messagesFailed);
  // Nothing is stored when POWERTOOLS_METRICS_DISABLED is set; publishing would only warn.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

let defaultHandler: RedriveHandler | undefined;

// In Lambda, build the clients during the init phase; elsewhere only on first use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) defaultHandler = createRedriveHandler();

/** The Lambda entry point (handler "index.handler" in the bundle). */
export const handler: RedriveHandler = (event, context) => (defaultHandler ??= createRedriveHandler())(event, context);
