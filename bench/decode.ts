/**
 * Handler CPU to decode 1,000 records, for the two change sources: DynamoDB stream records as
 * Lambda delivers them (handlers/common/decode.ts) and Kinesis Data Streams for DynamoDB records
 * (handlers/common/kinesis-record.ts: base64, JSON, then the same decoding). Process CPU time
 * (user + system) of many batches after a warm-up, median of rounds; then what one invocation's
 * CPU can decode per second (event parse included) beside the 833 records/s of 50,000 changes a minute.
 * The records are order items of 12 attributes (strings, numbers, a map, a list, a binary) with
 * both images, about 1 KB each, as a realistic stream carries them.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda';
import { decodeRecord } from '../handlers/common/decode';
import { decodeKinesisRecord } from '../handlers/common/kinesis-record';

const BATCH = 1000;
const ROUNDS = 7;
const BATCHES_PER_ROUND = 20;
/** 50,000 changes a minute. */
const TARGET_PER_SECOND = 50000 / 60;

function image(i: number, version: number): Record<string, any> {
  return {
    orderId: { S: `order-${String(i).padStart(8, '0')}` },
    customerId: { S: `customer-${i % 5000}` },
    status: { S: ['NEW', 'PAID', 'SHIPPED', 'DELIVERED'][version % 4] },
    createdAt: { S: '2026-12-01T10:00:00.000Z' },
    updatedAt: { S: `2026-12-01T10:${String(version % 60).padStart(2, '0')}:00.000Z` },
    totalCents: { N: String(1000 + (i % 90000)) },
    currency: { S: 'EUR' },
    items: {
      L: [
        { M: { sku: { S: `sku-${i % 300}` }, qty: { N: '2' }, priceCents: { N: '1299' } } },
        { M: { sku: { S: 'sku-7' }, qty: { N: '1' }, priceCents: { N: '499' } } },
      ],
    },
    address: { M: { street: { S: '1 Main Street' }, city: { S: 'Dublin' }, zip: { S: 'D01 F5P2' }, country: { S: 'IE' } } },
    tags: { SS: ['web', 'promo'] },
    receipt: { B: Buffer.from(`receipt-${i}`).toString('base64') },
    expiresAt: { N: String(1800000000 + i) },
  };
}

/** 1,000 order changes (both images) as each source delivers them; the consumer bench reuses them. */
export function changes(): { ddb: DynamoDBRecord[]; kinesis: KinesisStreamRecord[] } {
  const ddb: DynamoDBRecord[] = [];
  const kinesis: KinesisStreamRecord[] = [];
  for (let i = 0; i < BATCH; i++) {
    const keys = { orderId: { S: `order-${String(i).padStart(8, '0')}` } };
    const [oldImage, newImage] = [image(i, 1), image(i, 2)];
    const seq = `4968${String(i).padStart(52, '0')}`;
    ddb.push({
      eventID: `e-${i}`,
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000',
      dynamodb: {
        ApproximateCreationDateTime: 1764583200,
        Keys: keys,
        NewImage: newImage,
        OldImage: oldImage,
        SequenceNumber: seq,
        SizeBytes: 1024,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } as DynamoDBRecord);
    const data = {
      awsRegion: 'eu-west-1',
      eventID: `e-${i}`,
      eventName: 'MODIFY',
      userIdentity: null,
      recordFormat: 'application/json',
      tableName: 'orders',
      dynamodb: {
        ApproximateCreationDateTime: 1764583200123 + i,
        ApproximateCreationDateTimePrecision: 'MILLISECOND',
        Keys: keys,
        NewImage: newImage,
        OldImage: oldImage,
        SizeBytes: 1024,
      },
      eventSource: 'aws:dynamodb',
    };
    kinesis.push({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `PK${i}`,
        sequenceNumber: seq,
        data: Buffer.from(JSON.stringify(data)).toString('base64'),
        approximateArrivalTimestamp: 1764583200.5,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${seq}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/writer',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders-changes',
    });
  }
  return { ddb, kinesis };
}

/** Median CPU microseconds per batch of 1,000 over ROUNDS rounds. */
function cpuPerBatch(run: () => void): number {
  for (let i = 0; i < 5; i++) run();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let b = 0; b < BATCHES_PER_ROUND; b++) run();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / BATCHES_PER_ROUND);
  }
  rounds.sort((a, b) => a - b);
  return rounds[Math.floor(rounds.length / 2)];
}

export interface DecodeBench {
  readonly recordsPerBatch: number;
  readonly recordBytes: { dynamodb: number; kinesis: number };
  readonly cpuMsPer1000: { dynamodb: number; kinesis: number };
  /** The same, with the parse of the event JSON that the Node runtime does before the handler runs (billed too). */
  readonly cpuMsPer1000WithEventParse: { dynamodb: number; kinesis: number };
  readonly recordsPerCpuSecond: { dynamodb: number; kinesis: number };
  /** Records per second one invocation decodes, over the 833/s of 50,000 a minute. */
  readonly headroomAt50kPerMinute: { dynamodb: number; kinesis: number };
}

export function runDecodeBench(): DecodeBench {
  const { ddb, kinesis } = changes();
  const dynamodb =
    cpuPerBatch(() => {
      for (const r of ddb) decodeRecord(r);
    }) / 1000;
  const kinesisMs =
    cpuPerBatch(() => {
      for (const r of kinesis) decodeKinesisRecord(r);
    }) / 1000;
  const [ddbText, kinesisText] = [JSON.stringify({ Records: ddb }), JSON.stringify({ Records: kinesis })];
  const dynamodbParsed =
    cpuPerBatch(() => {
      for (const r of JSON.parse(ddbText).Records as DynamoDBRecord[]) decodeRecord(r);
    }) / 1000;
  const kinesisParsed =
    cpuPerBatch(() => {
      for (const r of JSON.parse(kinesisText).Records as KinesisStreamRecord[]) decodeKinesisRecord(r);
    }) / 1000;
  const perSecond = (ms: number) => Math.round((BATCH / ms) * 1000);
  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    recordsPerBatch: BATCH,
    recordBytes: { dynamodb: JSON.stringify(ddb[0]).length, kinesis: JSON.stringify(kinesis[0]).length },
    cpuMsPer1000: { dynamodb: round2(dynamodb), kinesis: round2(kinesisMs) },
    cpuMsPer1000WithEventParse: { dynamodb: round2(dynamodbParsed), kinesis: round2(kinesisParsed) },
    recordsPerCpuSecond: { dynamodb: perSecond(dynamodbParsed), kinesis: perSecond(kinesisParsed) },
    headroomAt50kPerMinute: {
      dynamodb: round2(perSecond(dynamodbParsed) / TARGET_PER_SECOND),
      kinesis: round2(perSecond(kinesisParsed) / TARGET_PER_SECOND),
    },
  };
}
