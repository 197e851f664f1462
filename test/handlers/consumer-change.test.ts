/**
 * The consumer toolkit's change, decoded lazily (pure: no server). What must not change when the
 * decoding moved from eager to on-read: identities (an idempotency table holds them across
 * deployments: the literals are what the eager toolkit of commit 7478b58 computed for these
 * records), a malformed image is still a DecodeError naming where (now when it is read), and the
 * partial batch response still fails the key's later changes after it.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { processRecords, toChange, windowHandler } from '../../handlers/consumer';
import { DecodeError } from '../../handlers/common/decode';
import { toLambdaKinesisRecord } from '../../handlers/redrive/kinesis-lambda-record';

const keys = { pk: { S: 'order-1' }, sk: { N: '7' } };
const newImage = { ...keys, amount: { N: '12' }, receipt: { B: Buffer.from('r1').toString('base64') } };
const oldImage = { ...keys, amount: { N: '10' } };

function streamRecord(
  sequenceNumber: string,
  images: { NewImage?: unknown; OldImage?: unknown } = { NewImage: newImage, OldImage: oldImage },
) {
  return {
    eventID: 'e1',
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1764583200,
      Keys: keys,
      ...images,
      SequenceNumber: sequenceNumber,
      SizeBytes: 90,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as unknown as DynamoDBRecord;
}

function kinesisRecord(sequenceNumber: string, edit: (json: string) => string = (json) => json): KinesisStreamRecord {
  const data = {
    awsRegion: 'eu-west-1',
    eventID: 'e1',
    eventName: 'MODIFY',
    userIdentity: null,
    recordFormat: 'application/json',
    tableName: 'orders',
    dynamodb: {
      ApproximateCreationDateTime: 1764583200123,
      ApproximateCreationDateTimePrecision: 'MILLISECOND',
      Keys: keys,
      NewImage: newImage,
      OldImage: oldImage,
      SizeBytes: 90,
    },
    eventSource: 'aws:dynamodb',
  };
  return toLambdaKinesisRecord(
    {
      SequenceNumber: sequenceNumber,
      PartitionKey: 'p',
      Data: Buffer.from(edit(JSON.stringify(data))),
      ApproximateArrivalTimestamp: new Date(0),
    },
    { streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/changes', shardId: 'shardId-000000000001', region: 'eu-west-1' },
  );
}

test('GIVEN the same changes as before the lazy decoding WHEN their identities are read THEN they are the identities the eager toolkit computed (a Kinesis duplicate included)', () => {
  expect(toChange(streamRecord('4968000000000000000000000001')).id).toBe('c298dBWXslTI923xCmnsEr5NbL5hYfD1GpBbCMwcEsM');
  expect(toChange(kinesisRecord('4959')).id).toBe('SFEFUNFnpkL9SAOhSsCm78pAzIqR2LFZv0oeSH9Mh3M');
  expect(toChange(kinesisRecord('5001')).id).toBe('SFEFUNFnpkL9SAOhSsCm78pAzIqR2LFZv0oeSH9Mh3M');
});

test('GIVEN a change WHEN its keys and images are read THEN they are unmarshalled (binaries as bytes), once', () => {
  const change = toChange(kinesisRecord('4959'));
  expect(change.keys).toEqual({ pk: 'order-1', sk: 7 });
  expect(change.newImage).toEqual({ pk: 'order-1', sk: 7, amount: 12, receipt: new Uint8Array(Buffer.from('r1')) });
  expect(change.newImage).toBe(change.newImage);
  expect(change.oldImage).toEqual({ pk: 'order-1', sk: 7, amount: 10 });
  expect(change.createdAt).toEqual({ epochMicros: 1764583200123000, precision: 'MILLISECOND' });
});

test('GIVEN a malformed image or an image that disagrees with the keys WHEN read THEN a DecodeError names where', () => {
  const malformed = toChange(streamRecord('1', { NewImage: { ...keys, amount: { N: 12 } } }));
  expect(() => malformed.newImage).toThrow(DecodeError);
  expect(() => malformed.newImage).toThrow('NewImage.amount.N: expected a string');
  const twoTypes = toChange(streamRecord('2', { OldImage: { ...keys, amount: { N: '1', S: '1' } } }));
  expect(() => twoTypes.oldImage).toThrow('OldImage.amount: an attribute value has exactly one type key (got N,S)');
  const otherKey = toChange(streamRecord('3', { NewImage: { ...keys, pk: { S: 'order-2' } } }));
  expect(() => otherKey.newImage).toThrow('NewImage disagrees with Keys on key attribute pk');
});

test('GIVEN a key whose first change has a malformed image WHEN the batch is processed THEN it and the key’s later change are reported failed, other keys go on', async () => {
  const bad = streamRecord('10', { NewImage: { ...keys, amount: { BOOL: 'yes' } } });
  const later = streamRecord('11');
  const other = streamRecord('12');
  (other.dynamodb as any).Keys = { pk: { S: 'order-9' }, sk: { N: '7' } };
  (other.dynamodb as any).NewImage = { pk: { S: 'order-9' }, sk: { N: '7' }, amount: { N: '5' } };
  (other.dynamodb as any).OldImage = undefined;
  const seen: number[] = [];
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const out = await processRecords<{ amount: number }, unknown>([bad, later, other], (c) => void seen.push(c.newImage!.amount), {
    backoff: false,
  });
  errors.mockRestore();
  expect(seen).toEqual([5]);
  expect(out.response.batchItemFailures).toEqual([{ itemIdentifier: '10' }, { itemIdentifier: '11' }]);
});

test('GIVEN Kinesis records whose JSON is malformed only inside an image no handler reads WHEN the batch is processed THEN each is reported failed on its own, as when records were parsed whole on arrival: its key’s later change and a valid duplicate are processed', async () => {
  const brokenOldImage = (json: string) => json.replace('"OldImage":{', '"OldImage":{,');
  const otherItem = (json: string) => json.replaceAll('order-1', 'order-2').replace('"e1"', '"e2"');
  const laterChange = (json: string) => json.replace('"e1"', '"e3"').replace('1764583200123', '1764583200999');
  const records = [
    kinesisRecord('1', brokenOldImage), // order-1: malformed, alone
    kinesisRecord('2', laterChange), // order-1, a later change: processed
    kinesisRecord('3', (json) => brokenOldImage(otherItem(json))), // order-2: malformed, then put again whole
    kinesisRecord('4', otherItem), // its valid duplicate: processed once
    kinesisRecord('5', otherItem), // a second duplicate: settles with it
    kinesisRecord('6', (json) => brokenOldImage(otherItem(json))), // a malformed duplicate of a readable change: alone
  ];
  const seen: string[] = [];
  const out = await processRecords<{ amount: number }, { pk: string }>(
    records,
    (c) => void seen.push(`${c.keys.pk}@${c.position.sequenceNumber}`),
    {
      backoff: false,
    },
  );
  expect(seen).toEqual(['order-1@2', 'order-2@4']);
  expect(out.response.batchItemFailures).toEqual(['1', '3', '6'].map((itemIdentifier) => ({ itemIdentifier })));
  expect([out.processed, out.failed]).toEqual([2, 0]);
  // The error such a record gets when read on its own is the whole text's parse error, as before.
  expect(() => toChange(records[0])).toThrow(/^kinesis\.data is not base64 JSON: /);
});

test('GIVEN a Kinesis change that fails, then a record of its key malformed inside an image, then a later change WHEN processed THEN the malformed one is reported as unreadable (first, as on arrival) and the later change fails with the first', async () => {
  const at = (ms: string, id: string) => (json: string) => json.replace('1764583200123', ms).replace('"e1"', `"${id}"`);
  const brokenNewImage = (json: string) => at('1764583200200', 'e2')(json).replace('"NewImage":{', '"NewImage":{]');
  const records = [
    kinesisRecord('1', at('1764583200100', 'e1')),
    kinesisRecord('2', brokenNewImage),
    kinesisRecord('3', at('1764583200300', 'e3')),
  ];
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const out = await processRecords(
    records,
    () => {
      throw new Error('downstream refuses');
    },
    { backoff: false },
  );
  errors.mockRestore();
  expect(out.response.batchItemFailures).toEqual(['2', '1', '3'].map((itemIdentifier) => ({ itemIdentifier })));
  expect([out.processed, out.failed]).toEqual([0, 2]);
});

test('GIVEN a windowed consumer on Kinesis with a store that cannot mark folded changes WHEN a batch comes THEN it refuses to run, naming what the store lacks (a late duplicate would count twice) AND a DynamoDB stream window runs on it', async () => {
  // A store of flushes only (claim/complete/release): enough on a DynamoDB stream, not on Kinesis.
  const flushesOnly = {
    claim: async () => ({ state: 'claimed' as const, token: 't' }),
    complete: async () => undefined,
    release: async () => undefined,
  };
  let flushed = 0;
  const handler = windowHandler<number>({ initial: () => 0, add: (n) => n + 1, flush: async () => void flushed++, store: flushesOnly });
  const window = { start: '2026-12-06T00:00:00Z', end: '2026-12-06T00:01:00Z' };
  await expect(
    handler({ Records: [kinesisRecord('1')], window, shardId: 'shardId-000000000000', isFinalInvokeForWindow: true }),
  ).rejects.toThrow(/on a Kinesis source needs a store with markFolded\(\) and foldedElsewhere\(\)/);
  expect(flushed).toBe(0);
  await handler({ Records: [streamRecord('1')], window, shardId: 'shardId-1', isFinalInvokeForWindow: true });
  expect(flushed).toBe(1);
});
