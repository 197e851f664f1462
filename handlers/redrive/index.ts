/**
 * Redrive: the Lambda behind the on-failure destination of a stream consumer (modules/redrive.ts,
 * FailureRedrive). Its SQS queue holds either on-failure
 * records (SQS destination), whose failed range it reads back from the DynamoDB or Kinesis stream
 * by sequence number (read-range.ts, read-range-kinesis.ts), or S3 notifications about
 * failure objects (S3 destination), which hold the failed batch itself (s3-failure-object.ts). It
 * invokes the consumer again with those records and retries what fails (invoke.ts), and
 * parks in the "parked" queue what still fails or can no longer be read (park.ts). A
 * message whose parking fails is reported in batchItemFailures, so SQS delivers it again: nothing
 * is deleted before it is safe. Delivery to the consumer is at least once, as with the mapping: a
 * message handled again re-invokes the consumer with records that had already succeeded, so
 * consumers are idempotent.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError } from '../common/sdk-errors';
import { DEFAULT_PARK_MAX_BYTES } from '../common/sqs-message-size';
import { Invoker, lambdaInvoker, retryRecords } from './invoke';
import { matchesAny, parsePatterns } from '../common/filter-pattern';
import { MalformedMessageError, OnFailureRecord, parseOnFailureRecord } from './on-failure-record';
import { originOf, RedriveParker, sqsRedriveParker } from './park';
import { dynamodbRangeSource, RangeRead, readRangeFrom, regionOf } from './read-range';
import { kinesisRangeSource } from './read-range-kinesis';
import { filterView, StreamRecord } from './records';
import { FailureObject, parseS3Notification, payloadRecords, readFailureObject } from './s3-failure-object';
import { configFromEnv, RedriveConfig, RedriveTally } from './config';
import { REDRIVE_METRICS, REDRIVE_METRICS_NAMESPACE } from '../contract';

export { configFromEnv as redriveConfigFromEnv } from './config';
export { REDRIVE_ENV } from '../contract';
export type { RedriveConfig, RedriveTally } from './config';
export { lambdaInvoker } from './invoke';
export type { Invoker, InvokeResult } from './invoke';
export type { ParkedRedrive, RedriveParker } from './park';

export interface RedriveHandlerOptions {
  /** @default configFromEnv(process.env) */
  readonly config?: RedriveConfig;
  /** Reads the stream of a range's region. @default a DynamoDBStreamsClient for that region */
  readonly streams?: (region: string) => DynamoDBStreamsClient;
  /** Reads a Kinesis range. @default a KinesisClient for that region */
  readonly kinesis?: (region: string) => KinesisClient;
  /** Reads S3 failure objects. @default an S3Client for the bucket's region */
  readonly s3?: (region: string) => S3Client;
  /** @default Lambda Invoke (RequestResponse) through @aws-sdk/client-lambda */
  readonly invoker?: Invoker;
  /** @default SendMessage to the parked queue */
  readonly parker?: RedriveParker;
  /** Called with each invocation's counts after metrics are published (tests, local runs). */
  readonly onInvocation?: (tally: RedriveTally) => void;
}

export type RedriveHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

const newTally = (): RedriveTally => ({
  messages: 0,
  rangesRedriven: 0,
  rangesUnreadable: 0,
  recordsRead: 0,
  objectsRead: 0,
  recordsFiltered: 0,
  recordsRetried: 0,
  recordsSucceeded: 0,
  recordsParked: 0,
  messagesFailed: 0,
});

/** One SDK client per region, built on first use. */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let c = clients.get(region);
    if (!c) clients.set(region, (c = make(region)));
    return c;
  };
}

/** Builds the handler and its clients (once per container). */
export function createRedriveHandler(options: RedriveHandlerOptions = {}): RedriveHandler {
  const config = options.config ?? configFromEnv();
  const maxAttempts = config.sdkMaxAttempts;
  const streams = options.streams ?? perRegion((region) => new DynamoDBStreamsClient({ region, maxAttempts }));
  const kinesis = options.kinesis ?? perRegion((region) => new KinesisClient({ region, maxAttempts }));
  const s3 = options.s3 ?? perRegion((region) => new S3Client({ region, maxAttempts }));
  const invoker = options.invoker ?? lambdaInvoker({ maxAttempts: config.sdkMaxAttempts });
  const parker =
    options.parker ??
    sqsRedriveParker(
      new SQSClient({ maxAttempts: config.sdkMaxAttempts }),
      config.parkedQueueUrl,
      config.parkMaxBytes ?? DEFAULT_PARK_MAX_BYTES,
    );
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dynamodb-stream-redrive' });
  const patterns = parsePatterns(config.filterPatterns ?? []);
  const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? REDRIVE_METRICS_NAMESPACE });

  const now = () => new Date().toISOString();

  /** Reads a failed range back from its stream, by sequence number. */
  function readFailedRange(failure: OnFailureRecord): Promise<RangeRead> {
    const region = regionOf(failure.range.streamArn);
    const source =
      failure.source === 'kinesis' ? kinesisRangeSource(kinesis(region), config.invokeIdentityArn) : dynamodbRangeSource(streams(region));
    return readRangeFrom<StreamRecord>(source, failure.range);
  }

  /** Redrives one on-failure record; throws only when something could not be parked (or read, transiently). */
  async function redrive(message: SQSRecord, failure: OnFailureRecord, tally: RedriveTally, object?: FailureObject): Promise<void> {
    const origin = originOf(message.messageId, failure, object);
    // An S3 failure object holds the batch itself, already through the mapping's filters.
    const fromPayload = failure.payload !== undefined;
    const read: RangeRead = fromPayload
      ? { readable: true, records: payloadRecords(failure.payload!), gaps: [] }
      : await readFailedRange(failure);
    if (!read.readable) {
      tally.rangesUnreadable++;
      logger.warn('failed range is no longer readable; parked its coordinates', {
        ...failure.range,
        reason: read.reason,
        functionArn: failure.functionArn,
      });
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
    const records = fromPayload ? read.records : read.records.filter((r) => matchesAny(filterView(r), patterns));
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
      source: failure.source,
      ...(object ? { object: `s3://${object.bucket}/${object.key}` } : {}),
      functionArn: failure.functionArn,
      condition: failure.condition,
      records: read.records.length,
      filtered: read.records.length - records.length,
      succeeded: outcome.succeeded.length,
      parked: outcome.failed.length,
      invocations: outcome.invocations,
    });
  }

  /** Parks a body that cannot be redriven (not an on-failure record, or an unreadable object) as it came. */
  async function parkMessage(message: SQSRecord, reason: string, body: string, object?: FailureObject): Promise<void> {
    logger.error('message cannot be redriven; parked as it came', { messageId: message.messageId, reason });
    await parker.park({ kind: 'message', reason, parkedAt: now(), origin: originOf(message.messageId, undefined, object), body });
  }

  /** One failure record (a queue message body, or an S3 object's content). */
  async function handleRecord(message: SQSRecord, body: string, tally: RedriveTally, object?: FailureObject): Promise<void> {
    let failure: OnFailureRecord;
    try {
      failure = parseOnFailureRecord(body);
      if (object && failure.payload === undefined)
        throw new MalformedMessageError('an S3 failure object without payload: the invocation event is missing');
      if (failure.payload !== undefined) payloadRecords(failure.payload);
    } catch (e) {
      if (!(e instanceof MalformedMessageError)) throw e;
      await parkMessage(message, `MalformedMessage: ${e.message}`, body, object);
      return;
    }
    await redrive(message, failure, tally, object);
  }

  async function handleMessage(message: SQSRecord, tally: RedriveTally): Promise<void> {
    let notice: ReturnType<typeof parseS3Notification>;
    try {
      notice = parseS3Notification(message.body);
    } catch (e) {
      if (!(e instanceof MalformedMessageError)) throw e;
      return parkMessage(message, `MalformedMessage: ${e.message}`, message.body);
    }
    if (!notice) return handleRecord(message, message.body, tally);
    if (notice.kind === 'test') return; // S3's check that it may send to the queue
    for (const object of notice.objects) {
      const read = await readFailureObject(s3(object.region), object);
      if (!read.found) {
        await parkMessage(message, `FailureObjectGone: ${read.reason}`, message.body, object);
        continue;
      }
      tally.objectsRead++;
      await handleRecord(message, read.text, tally, object);
    }
  }

  return async (event, context) => {
    const tally = newTally();
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records ?? []) {
      tally.messages++;
      try {
        await handleMessage(message, tally);
      } catch (e) {
        // Parking failed (or a read failed transiently): SQS keeps the message and delivers it
        // again after the visibility timeout.
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
  metrics.addMetric(REDRIVE_METRICS.rangesRedriven, c, t.rangesRedriven);
  metrics.addMetric(REDRIVE_METRICS.rangesUnreadable, c, t.rangesUnreadable);
  metrics.addMetric(REDRIVE_METRICS.objectsRead, c, t.objectsRead);
  metrics.addMetric(REDRIVE_METRICS.recordsFiltered, c, t.recordsFiltered);
  metrics.addMetric(REDRIVE_METRICS.recordsRetried, c, t.recordsRetried);
  metrics.addMetric(REDRIVE_METRICS.recordsSucceeded, c, t.recordsSucceeded);
  metrics.addMetric(REDRIVE_METRICS.recordsParked, c, t.recordsParked);
  metrics.addMetric(REDRIVE_METRICS.messagesFailed, c, t.messagesFailed);
  // Nothing is stored when POWERTOOLS_METRICS_DISABLED is set; publishing would only warn.
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

let defaultHandler: RedriveHandler | undefined;

// In Lambda, build the clients during the init phase; elsewhere only on first use.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) defaultHandler = createRedriveHandler();

/** The Lambda entry point (handler "index.handler" in the bundle). */
export const handler: RedriveHandler = (event, context) => (defaultHandler ??= createRedriveHandler())(event, context);
