/**
 * The pure converter from Lambda Kinesis records carrying a DynamoDB change (Kinesis Data Streams
 * for DynamoDB) to the replica writer's decoded shape. The oracle builds each change twice, in
 * the two wire formats AWS documents (a DynamoDB stream record as Lambda delivers it, and a Kinesis
 * record whose data is the change as JSON), independently of the converter.
 */
import fc from 'fast-check';
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { decodeRecord } from '../../handlers/common/decode';
import { DecodeError } from '../../handlers/common/decode';
import { creationTime, decodeKinesisRecord, parseKinesisChange, toDynamoDBRecord } from '../../handlers/common/kinesis-record';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-changes';
const TABLE_STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000';

interface Change {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: Record<string, any>;
  newImage?: Record<string, any>;
  oldImage?: Record<string, any>;
  ttl: boolean;
  created: number;
  precision: 'MILLISECOND' | 'MICROSECOND';
  withPrecisionField: boolean;
}

function kinesisRecordOf(c: Change, sequenceNumber: string, extra: Record<string, unknown> = {}): KinesisStreamRecord {
  const data = {
    awsRegion: 'eu-west-1',
    eventID: 'e3a1c6f4-0b1c-4d84-9d8e-1f2a3b4c5d6e',
    eventName: c.eventName,
    userIdentity: c.ttl ? { type: 'Service', principalId: 'dynamodb.amazonaws.com' } : null,
    recordFormat: 'application/json',
    tableName: 'orders',
    dynamodb: {
      ApproximateCreationDateTime: c.created,
      ...(c.withPrecisionField ? { ApproximateCreationDateTimePrecision: c.precision } : {}),
      Keys: c.keys,
      ...(c.newImage ? { NewImage: c.newImage } : {}),
      ...(c.oldImage ? { OldImage: c.oldImage } : {}),
      SizeBytes: 42,
    },
    eventSource: 'aws:dynamodb',
    ...extra,
  };
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'A1B2',
      sequenceNumber,
      data: Buffer.from(JSON.stringify(data)).toString('base64'),
      approximateArrivalTimestamp: 1764547200.123,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000003:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/writer',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
  };
}

function streamRecordOf(c: Change): DynamoDBRecord {
  return JSON.parse(
    JSON.stringify({
      eventID: '1',
      eventName: c.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: TABLE_STREAM_ARN,
      dynamodb: {
        Keys: c.keys,
        NewImage: c.newImage,
        OldImage: c.oldImage,
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      ...(c.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    }),
  );
}

const scalar = fc.oneof(
  fc.string().map((S) => ({ S })),
  fc.integer().map((n) => ({ N: String(n) })),
  fc.uint8Array({ maxLength: 8 }).map((b) => ({ B: Buffer.from(b).toString('base64') })),
  fc.boolean().map((BOOL) => ({ BOOL })),
  fc.constant({ NULL: true }),
);
const attribute = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }).map((L) => ({ L })),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), scalar, { maxKeys: 3 }).map((M) => ({ M })),
);
const change: fc.Arbitrary<Change> = fc
  .record({
    eventName: fc.constantFrom('INSERT', 'MODIFY', 'REMOVE') as fc.Arbitrary<Change['eventName']>,
    pk: fc.string({ minLength: 1, maxLength: 10 }),
    sk: fc.option(fc.integer(), { nil: undefined }),
    attrs: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== 'pk' && k !== 'sk'),
      attribute,
      { maxKeys: 4 },
    ),
    old: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== 'pk' && k !== 'sk'),
      attribute,
      { maxKeys: 4 },
    ),
    ttl: fc.boolean(),
    ms: fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
    micros: fc.integer({ min: 0, max: 999 }),
    precision: fc.constantFrom('MILLISECOND', 'MICROSECOND') as fc.Arbitrary<Change['precision']>,
    withPrecisionField: fc.boolean(),
  })
  .map((g) => {
    const keys = { pk: { S: g.pk }, ...(g.sk !== undefined ? { sk: { N: String(g.sk) } } : {}) };
    return {
      eventName: g.eventName,
      keys,
      newImage: g.eventName === 'REMOVE' ? undefined : { ...g.attrs, ...keys },
      oldImage: g.eventName === 'INSERT' ? undefined : { ...g.old, ...keys },
      ttl: g.ttl && g.eventName === 'REMOVE',
      created: g.precision === 'MICROSECOND' ? g.ms * 1000 + g.micros : g.ms,
      precision: g.precision,
      withPrecisionField: g.withPrecisionField,
    };
  });

describe('decodeKinesisRecord', () => {
  test('GIVEN any change WHEN decoded from its Kinesis record THEN it equals the decoding of the same change as a DynamoDB stream record, keeps the Kinesis sequence number and the exact creation time', () => {
    fc.assert(
      fc.property(change, fc.bigInt({ min: 10n ** 55n, max: 10n ** 56n - 1n }), (c, seq) => {
        const k = kinesisRecordOf(c, seq.toString());
        const viaKinesis = decodeKinesisRecord(k);
        const viaStream = decodeRecord(streamRecordOf(c));
        for (const f of ['eventName', 'userIdentity', 'keys', 'keyId', 'keyAttribute', 'newImage', 'oldImage', 'sourceTable'] as const)
          expect(viaKinesis[f]).toEqual(viaStream[f]);
        expect(viaKinesis.sequenceNumber).toBe(seq.toString());
        expect(viaKinesis.kinesisSequenceNumber).toBe(seq.toString());
        expect(viaKinesis.shardId).toBe('shardId-000000000003');
        expect(viaKinesis.createdAtPrecision).toBe(c.precision);
        expect(viaKinesis.createdAtMicros).toBe(c.precision === 'MICROSECOND' ? c.created : c.created * 1000);
        expect(viaKinesis.kinesisRecord).toBe(k);
        expect(viaKinesis.raw.eventSourceARN).toBe(STREAM_ARN);
        expect(viaKinesis.raw.dynamodb!.SequenceNumber).toBe(seq.toString());
      }),
      { numRuns: 300 },
    );
  });

  test('GIVEN AWS sample values WHEN converted THEN millisecond and microsecond times are exact and seconds are kept as DynamoDB Streams gives them', () => {
    const base: Change = {
      eventName: 'INSERT',
      keys: { pk: { S: 'a' } },
      newImage: { pk: { S: 'a' } },
      ttl: false,
      created: 1720740233012995,
      precision: 'MICROSECOND',
      withPrecisionField: true,
    };
    expect(creationTime(parseKinesisChange(kinesisRecordOf(base, '1')))).toEqual({ micros: 1720740233012995, precision: 'MICROSECOND' });
    // Older records carry no precision field: a 13-digit value is milliseconds, a 16-digit one microseconds.
    expect(creationTime(parseKinesisChange(kinesisRecordOf({ ...base, created: 1660598951097, withPrecisionField: false }, '1')))).toEqual({
      micros: 1660598951097000,
      precision: 'MILLISECOND',
    });
    expect(creationTime(parseKinesisChange(kinesisRecordOf({ ...base, withPrecisionField: false }, '1')))).toEqual({
      micros: 1720740233012995,
      precision: 'MICROSECOND',
    });
    expect(toDynamoDBRecord(kinesisRecordOf({ ...base, created: 1660598951097, precision: 'MILLISECOND' }, '7')).dynamodb).toMatchObject({
      ApproximateCreationDateTime: 1660598951.097,
      SequenceNumber: '7',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  const ok: Change = {
    eventName: 'MODIFY',
    keys: { pk: { S: 'a' } },
    newImage: { pk: { S: 'a' } },
    oldImage: { pk: { S: 'a' } },
    ttl: false,
    created: 1764547200123,
    precision: 'MILLISECOND',
    withPrecisionField: true,
  };
  test.each([
    [
      'data that is not base64',
      (r: KinesisStreamRecord) => ({ ...r, kinesis: { ...r.kinesis, data: 'not base64!' } }),
      'kinesis.data must be base64',
    ],
    [
      'data that is not JSON',
      (r: KinesisStreamRecord) => ({ ...r, kinesis: { ...r.kinesis, data: Buffer.from('{"a":').toString('base64') } }),
      /^kinesis\.data is not JSON: /,
    ],
    [
      'a plain Kinesis record',
      (r: KinesisStreamRecord) => ({ ...r, kinesis: { ...r.kinesis, data: Buffer.from('{"order":1}').toString('base64') } }),
      'data.eventSource must be "aws:dynamodb" (got undefined): not a Kinesis Data Streams for DynamoDB record',
    ],
    [
      'an unknown event name',
      () => kinesisRecordOf(ok, '1', { eventName: 'UPSERT' }),
      'data.eventName must be INSERT, MODIFY or REMOVE (got "UPSERT")',
    ],
    ['no table name', () => kinesisRecordOf(ok, '1', { tableName: '' }), 'data.tableName must be a non-empty string (got "")'],
    [
      'another record format',
      () => kinesisRecordOf(ok, '1', { recordFormat: 'application/x-amz-ion' }),
      'data.recordFormat must be "application/json" (got "application/x-amz-ion")',
    ],
    [
      'a fractional creation time',
      () => kinesisRecordOf({ ...ok, created: 1764547200.5 }, '1'),
      'data.dynamodb.ApproximateCreationDateTime must be a positive integer (epoch ms or µs) (got 1764547200.5)',
    ],
    [
      'an unknown precision',
      () => kinesisRecordOf({ ...ok, precision: 'NANOSECOND' as any }, '1'),
      'data.dynamodb.ApproximateCreationDateTimePrecision must be MILLISECOND or MICROSECOND (got "NANOSECOND")',
    ],
    [
      'a non-Kinesis source ARN',
      (r: KinesisStreamRecord) => ({ ...r, eventSourceARN: TABLE_STREAM_ARN }),
      `eventSourceARN is not a Kinesis stream ARN (got "${TABLE_STREAM_ARN}")`,
    ],
    [
      'images that disagree with the keys',
      () => kinesisRecordOf({ ...ok, newImage: { pk: { S: 'b' } } }, '1'),
      'NewImage disagrees with Keys on key attribute pk',
    ],
  ])('GIVEN %s WHEN decoded THEN a DecodeError says what is wrong', (_name, make, message) => {
    const record = (make as (r: KinesisStreamRecord) => KinesisStreamRecord)(kinesisRecordOf(ok, '1'));
    expect(() => decodeKinesisRecord(record)).toThrow(DecodeError);
    expect(() => decodeKinesisRecord(record)).toThrow(message);
  });
});
