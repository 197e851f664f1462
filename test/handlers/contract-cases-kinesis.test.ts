/**
 * The replication contract on Kinesis Data Streams for DynamoDB, on the histories that broke it,
 * one by one: three real DynamoDB Local regions; the region under test (US) reads its
 * table's changes from a real local Kinesis server (kinesis-local), the others read their DynamoDB
 * streams. The ground truth of each story is plain (who wrote what, in which order, what each region
 * had seen), so each test states the outcome it expects.
 *
 * FAKES (no local counterpart): DynamoDB's Kinesis streaming destination is the bridge
 * (test/support/kinesis-bridge.ts), told here which changes to hold back, as AWS may deliver them
 * late; the failure queue is a fake SQS; deliveries are made by hand to choose the interleaving.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import { replicatedWrites } from '../../handlers/client';
import type { ReplicationConfig } from '../../handlers/replicate';
import { Item } from '../../handlers/lww';
import { streamsClient } from '../support/dynamodb-local';
import { BridgedChange, DynamoDbToKinesisBridge } from '../support/kinesis-bridge';
import { createKinesisStream, KinesisLocal, startKinesisLocal } from '../support/kinesis-local';
import { KinesisShardReader } from '../support/kinesis-reader';
import { deploy, Deployment, pump, startWorld, uniqueTable, World } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
let world: World;
let kinesisLocal: KinesisLocal;

beforeAll(async () => {
  [world, kinesisLocal] = await Promise.all([startWorld([EU, US, AP]), startKinesisLocal()]);
}, 180_000);
afterAll(async () => {
  await world?.stop();
  await kinesisLocal?.stop();
});

const key = (pk: string) => ({ pk: { S: pk } });
const get = async (region: string, table: string, pk: string) =>
  (await world.ddb[region].send(new GetItemCommand({ TableName: table, Key: key(pk), ConsistentRead: true }))).Item as Item | undefined;

test("GIVEN a helper put then a hard delete in US, an older put from EU landing on the deleted key, and US's writer reading EU's copy from Kinesis before the put and the delete WHEN every stream drains THEN the delete wins everywhere and nothing is parked", async () => {
  const { dep, feed } = await deployWithKinesisIn(US, uniqueTable('klate'));
  const parkedBefore = world.sqs.messages.length;
  // EU's clock is a minute behind: its put is concurrent with US's and older.
  await world.ddb[EU].send(
    new PutItemCommand(
      replicatedWrites({ region: EU, now: () => Date.now() - 60_000 }).put({ TableName: dep.table, Item: { ...key('a'), n: { N: '1' } } }),
    ),
  );
  await world.ddb[US].send(
    new PutItemCommand(replicatedWrites({ region: US }).put({ TableName: dep.table, Item: { ...key('a'), n: { N: '2' } } })),
  );
  await world.ddb[US].send(new DeleteItemCommand({ TableName: dep.table, Key: key('a') }));
  await pump({ ...world, regions: [EU, AP] }, dep); // EU's put lands in US on the deleted key
  expect((await get(US, dep.table, 'a'))?.n).toEqual({ N: '1' });

  // Kinesis delivers the copy first; US's own put and delete come a batch later.
  await deliverHoldingBack(feed, (c) => c.data.eventName !== 'INSERT' || (c.data.dynamodb.NewImage as Item).n?.N === '2', {
    first: ['INSERT n=1'],
    late: ['INSERT n=2', 'REMOVE'],
  });
  await drain(dep, feed);
  expect(await convergedItem(dep.table, 'a', parkedBefore)).toBeUndefined();
});

test("GIVEN a plain put then a helper delete in US, a newer delete from EU landing over it, and US's writer reading the plain put from Kinesis after the delete WHEN every stream drains THEN the item stays deleted everywhere", async () => {
  const { dep, feed } = await deployWithKinesisIn(US, uniqueTable('ksuperseded'));
  const parkedBefore = world.sqs.messages.length;
  await world.ddb[US].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('c'), n: { N: '1' } } }));
  // US's helper delete saw the put; its clock is a minute behind, so EU's later delete outranks it.
  await world.ddb[US].send(
    new PutItemCommand(replicatedWrites({ region: US, now: () => Date.now() - 60_000 }).delete({ TableName: dep.table, Key: key('c') })),
  );
  await world.ddb[EU].send(new PutItemCommand(replicatedWrites({ region: EU }).delete({ TableName: dep.table, Key: key('c') })));
  await pump({ ...world, regions: [EU, AP] }, dep);

  // Kinesis delivers US's delete (and EU's copy) first; the plain put it deleted comes a batch later.
  await deliverHoldingBack(feed, (c) => c.data.eventName === 'INSERT', {
    first: ['MODIFY tombstone', 'MODIFY tombstone'],
    late: ['INSERT n=1'],
  });
  await drain(dep, feed);
  expect(await convergedItem(dep.table, 'c', parkedBefore)).toBeUndefined();
});

test('GIVEN a hard delete settled in US, then a newer put from AP, and Kinesis delivering the delete again WHEN every stream drains THEN the newer put wins everywhere', async () => {
  const { dep, feed } = await deployWithKinesisIn(US, uniqueTable('kdup'));
  const parkedBefore = world.sqs.messages.length;
  await world.ddb[US].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('b'), n: { N: '1' } } }));
  await world.ddb[US].send(new DeleteItemCommand({ TableName: dep.table, Key: key('b') }));
  await drain(dep, feed);
  expect(await get(AP, dep.table, 'b')).toMatchObject({ _d: expect.anything() });

  await world.ddb[AP].send(
    new PutItemCommand(replicatedWrites({ region: AP }).put({ TableName: dep.table, Item: { ...key('b'), n: { N: '3' } } })),
  );
  await drain(dep, feed);
  const again = feed.delivered.filter((r) => nameOf(r) === 'REMOVE');
  expect(again).toHaveLength(1);
  expect((await dep.writers[US]({ Records: again })).batchItemFailures).toEqual([]);

  await drain(dep, feed);
  expect((await convergedItem(dep.table, 'b', parkedBefore))?.n).toEqual({ N: '3' });
});

test("GIVEN a key's first changes reaching US's writer with one from the middle missing WHEN it stays away longer than the writer's wait THEN the writer goes ahead, and the late change is superseded when it comes", async () => {
  const { dep, feed } = await deployWithKinesisIn(US, uniqueTable('kgap'), { kinesisWaitMs: 300 });
  const parkedBefore = world.sqs.messages.length;
  for (const n of ['1', '2', '3'])
    await world.ddb[US].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('d'), n: { N: n } } }));
  feed.holdBack((c) => (c.data.dynamodb.NewImage as Item | undefined)?.n?.N === '2');
  const gap = await feed.read();
  expect(gap.map(nameOf)).toEqual(['INSERT n=1', 'MODIFY n=3']);
  const waiting = await dep.writers[US]({ Records: gap });
  expect(waiting.batchItemFailures).toHaveLength(2);
  await new Promise((r) => setTimeout(r, 400));
  expect((await dep.writers[US]({ Records: gap })).batchItemFailures).toEqual([]);

  feed.holdBack(() => false);
  // The held change, then the writer's stamp of the last one.
  expect((await feed.deliverNew()).map(nameOf)).toEqual(['MODIFY n=2', 'MODIFY n=3']);
  await drain(dep, feed);
  expect((await convergedItem(dep.table, 'd', parkedBefore))?.n).toEqual({ N: '3' });
});

test("GIVEN a newer put from EU copied to US, then a hard delete and a plain re-create in US, and US's writer getting the re-create before the key's earlier changes WHEN the late changes arrive THEN the re-create is re-versioned above the put it had seen and wins everywhere", async () => {
  const { dep, feed } = await deployWithKinesisIn(US, uniqueTable('kfold'));
  const parkedBefore = world.sqs.messages.length;
  // EU's clock is a minute ahead: its put outranks anything US's writer mints from US's own times.
  await world.ddb[EU].send(
    new PutItemCommand(
      replicatedWrites({ region: EU, now: () => Date.now() + 60_000 }).put({ TableName: dep.table, Item: { ...key('e'), n: { N: '1' } } }),
    ),
  );
  await pump({ ...world, regions: [EU, AP] }, dep);
  await world.ddb[US].send(new DeleteItemCommand({ TableName: dep.table, Key: key('e') }));
  await world.ddb[US].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('e'), n: { N: '2' } } }));

  // The key's first changes split: the re-create comes alone (no digest to tell), then the copy and the delete.
  feed.holdBack((c) => c.data.eventName === 'REMOVE' || (c.data.dynamodb.NewImage as Item | undefined)?.n?.N === '1');
  expect((await feed.deliverNew()).map(nameOf)).toEqual(['INSERT n=2']);
  // Settled without them, the re-create ranks below the put the others hold: they refuse it.
  await pump({ ...world, regions: [EU, AP] }, dep);
  expect((await get(EU, dep.table, 'e'))?.n).toEqual({ N: '1' });
  feed.holdBack(() => false);
  await drain(dep, feed);
  // The re-create had seen the put (the delete removed it): it wins.
  expect((await convergedItem(dep.table, 'e', parkedBefore))?.n).toEqual({ N: '2' });
});

/** The table in every region, and `region`'s changes streamed to a local Kinesis stream its writer reads. */
async function deployWithKinesisIn(
  region: string,
  table: string,
  configOverrides: Partial<ReplicationConfig> = {},
): Promise<{ dep: Deployment; feed: HeldFeed }> {
  const dep = await deploy(world, table, () => ({ configOverrides }));
  const kinesis = kinesisLocal.client(region);
  const streamArn = await createKinesisStream(kinesis, table, 1);
  let held: BridgedChange[] = [];
  let hold: (c: BridgedChange) => boolean = () => false;
  let lastMs = 0;
  const bridge = new DynamoDbToKinesisBridge({
    streams: streamsClient(world.local[region].endpoint, region),
    tableStreamArn: dep.readers[region].streamArn,
    tableName: table,
    region,
    kinesis,
    kinesisStreamName: table,
    precision: 'MICROSECOND',
    // DynamoDB Local's creation times are whole minutes: the bridge reads in stream order, so the
    // time it reads a change at (strictly increasing) keeps every item's changes in their order.
    creationTimeMs: () => (lastMs = Math.max(Date.now(), lastMs + 0.001)),
    inject: (changes) => {
      const all = [...held, ...changes];
      held = all.filter(hold);
      return all.filter((c) => !hold(c));
    },
  });
  const reader = new KinesisShardReader(kinesis, streamArn, region);
  const feed: HeldFeed = {
    delivered: [],
    holdBack: (p) => (hold = p),
    async read() {
      await bridge.pump();
      return reader.readNew();
    },
    async deliverNew() {
      const records = await feed.read();
      if (records.length) {
        const res = await dep.writers[region]({ Records: records });
        expect(res.batchItemFailures).toEqual([]);
        feed.delivered.push(...records);
      }
      return records;
    },
  };
  return { dep, feed };
}

interface HeldFeed {
  /** Every Kinesis record delivered to the writer so far. */
  readonly delivered: KinesisStreamRecord[];
  /** Changes for which `p` holds stay in the bridge until a later pump for which it does not. */
  holdBack(p: (c: BridgedChange) => boolean): void;
  /** Bridges the region's new changes and returns what Kinesis has new, without delivering it. */
  read(): Promise<KinesisStreamRecord[]>;
  /** Bridges the region's new changes and delivers what Kinesis has new to its writer in one batch. */
  deliverNew(): Promise<KinesisStreamRecord[]>;
}

/** One batch of what Kinesis has new with the changes `hold` picks held back, then a batch of those. */
async function deliverHoldingBack(feed: HeldFeed, hold: (c: BridgedChange) => boolean, expected: { first: string[]; late: string[] }) {
  feed.holdBack(hold);
  expect((await feed.deliverNew()).map(nameOf)).toEqual(expected.first);
  feed.holdBack(() => false);
  expect((await feed.deliverNew()).map(nameOf)).toEqual(expected.late);
}

/** Until quiet: US's Kinesis changes to its writer, the other regions' DynamoDB streams to theirs. */
async function drain(dep: Deployment, feed: HeldFeed): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const stats = await pump({ ...world, regions: [EU, AP] }, dep);
    const fromKinesis = await feed.deliverNew();
    if (!fromKinesis.length && Object.values(stats.records).every((n) => n === 0)) return;
  }
  throw new Error('the streams did not go quiet in 10 rounds');
}

/** What an application sees of the item once every region holds the same, and nothing was parked since `parkedBefore`. */
async function convergedItem(table: string, pk: string, parkedBefore: number): Promise<Item | undefined> {
  const items = await Promise.all([EU, US, AP].map((r) => get(r, table, pk)));
  expect(items[1]).toEqual(items[0]);
  expect(items[2]).toEqual(items[0]);
  expect(world.sqs.messages.slice(parkedBefore)).toEqual([]);
  return replicatedWrites({ region: EU }).visible(items[0]);
}

function nameOf(r: KinesisStreamRecord): string {
  const change = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString());
  const image = change.dynamodb.NewImage;
  return change.eventName === 'REMOVE' ? 'REMOVE' : `${change.eventName} ${image?._d ? 'tombstone' : `n=${image?.n?.N}`}`;
}
