/**
 * S3 on-failure destinations: Lambda writes each failed batch to the bucket as an object holding
 * the on-failure record and the whole invocation event (`payload`); S3 event notifications announce
 * new objects on the redrive's queue. This reads the notifications and the objects. The first
 * message S3 sends when notifications are configured is an `s3:TestEvent`: nothing to redrive.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { errorName } from '../common/sdk-errors';
import { MalformedMessageError } from './on-failure-record';
import { isKinesisRecord, sequenceOf, StreamRecord } from './records';

export interface FailureObject {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
}

export type S3Notice = { readonly kind: 'test' } | { readonly kind: 'objects'; readonly objects: FailureObject[] };

/** The S3 notification in an SQS body, or undefined when the body is something else (an on-failure record). */
export function parseS3Notification(body: string): S3Notice | undefined {
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (json?.Event === 's3:TestEvent' && json?.Service === 'Amazon S3') return { kind: 'test' };
  const records = json?.Records;
  if (!Array.isArray(records) || !records.length || !records.every((r: any) => r?.eventSource === 'aws:s3')) return undefined;
  return {
    kind: 'objects',
    objects: records
      .filter((r: any) => String(r.eventName ?? '').startsWith('ObjectCreated:'))
      .map((r: any) => {
        const bucket = r.s3?.bucket?.name;
        const key = r.s3?.object?.key;
        if (typeof bucket !== 'string' || typeof key !== 'string')
          throw new MalformedMessageError('an S3 notification record has no s3.bucket.name or s3.object.key');
        // Keys in S3 event notifications are URL-encoded, with spaces as "+".
        return { bucket, key: decodeURIComponent(key.replace(/\+/g, ' ')), region: String(r.awsRegion ?? '') };
      }),
  };
}

/**
 * The object's text, or why it cannot be read any more (expired by the lifecycle rule, deleted).
 *
 * S3 answers GetObject of a missing key with 404 NoSuchKey only to a caller that may ListBucket;
 * to others with 403 AccessDenied (GetObject API reference, "Permissions"). A 403 is therefore
 * checked by listing the key: a key the bucket does not list is gone; a listed one is a real
 * denial (a key policy, a bucket policy) and is thrown, so the message is retried and alarmed.
 */
export async function readFailureObject(
  s3: S3Client,
  object: FailureObject,
): Promise<{ found: true; text: string } | { found: false; reason: string }> {
  const where = `s3://${object.bucket}/${object.key}`;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    return { found: true, text: (await out.Body?.transformToString('utf8')) ?? '' };
  } catch (e) {
    const name = errorName(e);
    if (name === 'NoSuchKey' || name === 'NoSuchBucket') return { found: false, reason: `${name}: ${where}` };
    if (name !== 'AccessDenied') throw e;
    if (!(await isListed(s3, object, e))) return { found: false, reason: `AccessDenied for a key the bucket does not list: ${where}` };
    throw e;
  }
}

/** Whether the bucket lists exactly this key (the first key with the key as prefix is the key itself). */
async function isListed(s3: S3Client, object: FailureObject, getError: unknown): Promise<boolean> {
  try {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: object.bucket, Prefix: object.key }));
    return (out.Contents ?? []).some((c) => c.Key === object.key);
  } catch (e) {
    if (errorName(e) !== 'AccessDenied') throw e;
    throw new Error(
      `S3 denied GetObject of s3://${object.bucket}/${object.key} (${errorName(getError)}) and could not list the key to tell ` +
        `an expired object from a denial (${errorName(e)}): the redrive role needs s3:ListBucket on the bucket`,
    );
  }
}

/** The records of an on-failure object's payload (the event the function failed on), checked strictly. */
export function payloadRecords(payload: string): StreamRecord[] {
  let event: any;
  try {
    event = JSON.parse(payload);
  } catch (e) {
    throw new MalformedMessageError(`payload is not JSON: ${(e as Error).message}`);
  }
  const records = event?.Records;
  if (!Array.isArray(records) || !records.length) throw new MalformedMessageError('payload has no Records: not a stream invocation event');
  for (const [i, r] of records.entries()) {
    const kinesisOk = isKinesisRecord(r) && typeof r.kinesis.data === 'string';
    if (!sequenceOf(r) || (!kinesisOk && typeof r?.dynamodb !== 'object'))
      throw new MalformedMessageError(
        `payload Records[${i}] is neither a DynamoDB stream record nor a Kinesis record with a sequence number`,
      );
  }
  return records;
}
