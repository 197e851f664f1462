/**
 * Stream records as Lambda delivers them to a DynamoDB stream handler. Used by the redrive, which
 * re-reads failed ranges with the Streams API, and by the tests, which read DynamoDB Local's
 * stream the same way: one conversion, so both hand handlers the shape Lambda does.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue as StreamAttributeValue, _Record } from '@aws-sdk/client-dynamodb-streams';

/** Lambda's JSON carries binaries as base64 strings; the SDK hands us bytes. */
function toLambdaAttribute(av: StreamAttributeValue): unknown {
  if (av.B !== undefined) return { B: Buffer.from(av.B).toString('base64') };
  if (av.BS !== undefined) return { BS: av.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (av.M !== undefined) return { M: toLambdaImage(av.M) };
  if (av.L !== undefined) return { L: av.L.map(toLambdaAttribute) };
  // DynamoDB Local writes an empty map in stream images as `{}`; Lambda delivers `{"M":{}}`.
  if (Object.keys(av).length === 0) return { M: {} };
  return { ...av };
}

function toLambdaImage(image: Record<string, StreamAttributeValue> | undefined): any {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaAttribute(v)]));
}

/** One stream record as Lambda delivers it to a DynamoDB stream handler. */
export function toLambdaRecord(r: _Record, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const rec: DynamoDBRecord = {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime ? Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      Keys: toLambdaImage(d.Keys),
      NewImage: toLambdaImage(d.NewImage),
      OldImage: toLambdaImage(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as any,
    },
  };
  if (r.userIdentity) rec.userIdentity = { type: r.userIdentity.Type, principalId: r.userIdentity.PrincipalId };
  // Drops undefined members, as Lambda's JSON payload does.
  return JSON.parse(JSON.stringify(rec));
}

/**
 * Set on the events the redrive sends: their records come back out of stream order (later records
 * of the same keys may have been handled since), which a consumer like the replica writer must know.
 * Other consumers ignore the extra field.
 */
export const REDRIVE_EVENT_FIELD = 'redrive';

export function redriveEvent<R>(records: R[]): { Records: R[]; [REDRIVE_EVENT_FIELD]: true } {
  return { Records: records, [REDRIVE_EVENT_FIELD]: true };
}

export function isRedriveEvent(event: unknown): boolean {
  return (event as Record<string, unknown> | undefined)?.[REDRIVE_EVENT_FIELD] === true;
}
