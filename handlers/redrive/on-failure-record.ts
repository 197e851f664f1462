/**
 * The on-failure record Lambda sends for a stream batch it gave up on (metadata, not the records:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): `DDBStreamBatchInfo`
 * for a DynamoDB stream, `KinesisBatchInfo` for a Kinesis stream, and, in an S3 destination only,
 * `payload`: the whole invocation event as an escaped JSON string. Parsed strictly: a body we
 * cannot read is parked as it is, never guessed at.
 */

/** Which stream a failed batch came from. */
export type FailedSource = 'dynamodb-stream' | 'kinesis';

const BATCH_INFO: Record<FailedSource, string> = { 'dynamodb-stream': 'DDBStreamBatchInfo', kinesis: 'KinesisBatchInfo' };

/** Coordinates of the failed batch in its stream. */
export interface StreamRange {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly streamArn: string;
  readonly batchSize?: number;
  readonly approximateArrivalOfFirstRecord?: string;
  readonly approximateArrivalOfLastRecord?: string;
}

export interface OnFailureRecord {
  /** The function (or alias/version ARN) whose mapping gave up: the one the redrive invokes again. */
  readonly functionArn: string;
  /** Why Lambda gave up: RetryAttemptsExhausted, RecordAgeExceeded, ... */
  readonly condition: string;
  readonly timestamp?: string;
  readonly source: FailedSource;
  readonly range: StreamRange;
  /** S3 destinations only: the invocation event the function failed on, as JSON text. */
  readonly payload?: string;
}

export class MalformedMessageError extends Error {}

function text(o: Record<string, unknown> | undefined, key: string, where: string): string {
  const v = o?.[key];
  if (typeof v !== 'string' || v === '')
    throw new MalformedMessageError(`${where}.${key} must be a non-empty string (got ${JSON.stringify(v)})`);
  return v;
}

function optionalText(o: Record<string, unknown>, key: string): string | undefined {
  return typeof o[key] === 'string' ? (o[key] as string) : undefined;
}

/** Parses one SQS message body (or S3 object); throws MalformedMessageError when it is not a stream on-failure record. */
export function parseOnFailureRecord(body: string): OnFailureRecord {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new MalformedMessageError(`body is not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null) throw new MalformedMessageError('body is not a JSON object');
  const o = json as Record<string, unknown>;
  const ctx = o.requestContext as Record<string, unknown> | undefined;
  const source = (Object.keys(BATCH_INFO) as FailedSource[]).find((k) => o[BATCH_INFO[k]] !== undefined);
  const where = source ? BATCH_INFO[source] : '';
  const info = source ? (o[where] as Record<string, unknown>) : undefined;
  if (!source || !info || typeof info !== 'object')
    throw new MalformedMessageError('DDBStreamBatchInfo and KinesisBatchInfo are missing: not the on-failure record of a stream mapping');
  const range: StreamRange = {
    shardId: text(info, 'shardId', where),
    startSequenceNumber: sequence(text(info, 'startSequenceNumber', where), 'startSequenceNumber', where),
    endSequenceNumber: sequence(text(info, 'endSequenceNumber', where), 'endSequenceNumber', where),
    streamArn: text(info, 'streamArn', where),
    batchSize: typeof info.batchSize === 'number' ? info.batchSize : undefined,
    approximateArrivalOfFirstRecord: optionalText(info, 'approximateArrivalOfFirstRecord'),
    approximateArrivalOfLastRecord: optionalText(info, 'approximateArrivalOfLastRecord'),
  };
  if (compareSequence(range.startSequenceNumber, range.endSequenceNumber) > 0) {
    throw new MalformedMessageError(
      `startSequenceNumber ${range.startSequenceNumber} is after endSequenceNumber ${range.endSequenceNumber}`,
    );
  }
  if (o.payload !== undefined && typeof o.payload !== 'string')
    throw new MalformedMessageError(`payload must be the invocation event as a JSON string (got ${typeof o.payload})`);
  return {
    functionArn: text(ctx, 'functionArn', 'requestContext'),
    condition: typeof ctx?.condition === 'string' ? ctx.condition : 'unknown',
    timestamp: optionalText(o, 'timestamp'),
    source,
    range,
    ...(typeof o.payload === 'string' ? { payload: o.payload } : {}),
  };
}

function sequence(s: string, name: string, where: string): string {
  if (!/^\d{1,128}$/.test(s))
    throw new MalformedMessageError(`${where}.${name} must be a decimal sequence number (got ${JSON.stringify(s)})`);
  return s;
}

/**
 * Orders two stream sequence numbers. They are decimal integers too long for a double (often 21+
 * digits) and of varying length, so a string comparison alone is wrong ("9" > "10"): compare by
 * length first (after leading zeros), then lexically.
 */
export function compareSequence(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}
