/**
 * The replication contract on the histories that broke it, one by one, on real DynamoDB
 * Local regions and their real streams: the ground truth of each is plain from the story (who wrote
 * what, in which order, what each region had seen), so each test states the outcome it expects.
 * The failure queue is a FAKE SQS (test/support/fake-sqs.ts). Deliveries are made by hand to
 * choose the interleaving; a "late" delivery is one made after the other regions' writes replicated.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { replicatedWrites } from '../../handlers/client';
import { redriveEvent } from '../../handlers/common/stream-record';
import { Item } from '../../handlers/lww';
import { streamEvent } from '../support/streams';
import { deploy, Deployment, pump, startWorld, uniqueTable, World } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
let world: World;

beforeAll(async () => {
  world = await startWorld([EU, US, AP]);
});
afterAll(async () => {
  await world?.stop();
});

const key = (pk: string) => ({ pk: { S: pk } });
const get = async (region: string, table: string, pk: string) =>
  (await world.ddb[region].send(new GetItemCommand({ TableName: table, Key: key(pk), ConsistentRead: true }))).Item as Item | undefined;
const everywhere = async (table: string, pk: string) => Promise.all([EU, US, AP].map((r) => get(r, table, pk)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** An update that sets `n`: sent as is, a write made without the helper; or passed through a helper's `update`. */
const setN = (table: string, pk: string, n: string) => ({
  TableName: table,
  Key: key(pk),
  UpdateExpression: 'SET n = :n',
  ExpressionAttributeValues: { ':n': { N: n } },
});

async function deliver(dep: Deployment, region: string, records: DynamoDBRecord[]) {
  const res = await dep.writers[region](streamEvent(records));
  expect(res.batchItemFailures).toEqual([]);
}

/** Every region holds the same item, and an application reading it sees `expected` (undefined = deleted). */
async function expectConverged(table: string, pk: string, expected: Record<string, unknown> | undefined) {
  const items = await everywhere(table, pk);
  expect(items[1]).toEqual(items[0]);
  expect(items[2]).toEqual(items[0]);
  const app = replicatedWrites({ region: EU });
  const seen = app.visible(items[0]);
  if (expected === undefined) expect(seen).toBeUndefined();
  else expect(seen).toMatchObject(expected);
  return items[0];
}

test('GIVEN two plain writes to one key in one region with the writer polling between them WHEN every stream drains THEN every region holds the second', async () => {
  const dep = await deploy(world, uniqueTable('split'));
  await world.ddb[EU].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('a'), n: { N: '1' } } }));
  const first = await dep.readers[EU].readNew();
  await world.ddb[EU].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('a'), n: { N: '2' } } }));
  await deliver(dep, EU, first); // the writer sees only the first write
  await pump(world, dep);
  await expectConverged(dep.table, 'a', { n: { N: '2' } });
});

test('GIVEN a plain update whose batch is retried late, after another region made a newer write WHEN every stream drains THEN the newer write wins everywhere', async () => {
  const dep = await deploy(world, uniqueTable('late'));
  await world.ddb[EU].send(
    new PutItemCommand(replicatedWrites({ region: EU }).put({ TableName: dep.table, Item: { ...key('b'), n: { N: '0' } } })),
  );
  await pump(world, dep);
  await world.ddb[EU].send(new UpdateItemCommand(setN(dep.table, 'b', '1')));
  const pending = await dep.readers[EU].readNew(); // EU's writer fails on it (target down, say) and retries later
  await sleep(20);
  await world.ddb[US].send(new UpdateItemCommand(replicatedWrites({ region: US }).update(setN(dep.table, 'b', '2'))));
  await pump({ ...world, regions: [US, AP] }, dep); // EU's writer is still stuck
  await sleep(20);
  await deliver(dep, EU, pending);
  await pump(world, dep);
  await expectConverged(dep.table, 'b', { n: { N: '2' } });
});

test('GIVEN a hard delete delivered again by the redrive after another region re-created the item WHEN every stream drains THEN the item lives everywhere', async () => {
  const dep = await deploy(world, uniqueTable('redrive'));
  await world.ddb[EU].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('c'), n: { N: '1' } } }));
  await pump(world, dep);
  await world.ddb[EU].send(new DeleteItemCommand({ TableName: dep.table, Key: key('c') }));
  const deleted = await dep.readers[EU].readNew();
  await deliver(dep, EU, deleted);
  await pump(world, dep);
  await expectConverged(dep.table, 'c', undefined);
  await world.ddb[US].send(
    new PutItemCommand(replicatedWrites({ region: US }).put({ TableName: dep.table, Item: { ...key('c'), n: { N: '2' } } })),
  );
  await pump(world, dep);
  await sleep(20);
  expect((await dep.writers[EU](redriveEvent(deleted) as ReturnType<typeof streamEvent>)).batchItemFailures).toEqual([]);
  expect((await dep.writers[EU](streamEvent(deleted))).batchItemFailures).toEqual([]);
  await pump(world, dep);
  await expectConverged(dep.table, 'c', { n: { N: '2' } });
});

test('GIVEN a plain put, then a hard delete, and an older copy landing on the deleted key before the writer saw the put WHEN every stream drains THEN the delete wins everywhere', async () => {
  const dep = await deploy(world, uniqueTable('overtaken'));
  await world.ddb[EU].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('g'), n: { N: '1' } } }));
  const put = await dep.readers[EU].readNew();
  await world.ddb[EU].send(new DeleteItemCommand({ TableName: dep.table, Key: key('g') }));
  // A concurrent delete from a clock a minute behind reaches EU first, on the absent key.
  await world.ddb[AP].send(
    new PutItemCommand(replicatedWrites({ region: AP, now: () => Date.now() - 60_000 }).delete({ TableName: dep.table, Key: key('g') })),
  );
  await pump({ ...world, regions: [AP] }, dep);
  // EU's writer sees only the put: the copy that landed is older, so it puts the write back...
  await deliver(dep, EU, put);
  await pump(world, dep);
  // ...but the delete made after it is the region's last write, and its put-back must not outrank it.
  await expectConverged(dep.table, 'g', undefined);
});

/**
 * A copy that lands twice (its batch retried) carries the same version and origin both times, and
 * a plain update keeps them: the writer's stamp for the plain update must not take the copy's second
 * landing, which came after a later local write, for the update it was made for.
 */
async function copyLandingTwice(name: string, later: (table: string) => Promise<unknown>) {
  const dep = await deploy(world, uniqueTable(name));
  const ahead = replicatedWrites({ region: AP, now: () => Date.now() + 5000 });
  await world.ddb[AP].send(new PutItemCommand(ahead.put({ TableName: dep.table, Item: { ...key('r'), n: { N: '0' } } })));
  const copy = await dep.readers[AP].readNew();
  await deliver(dep, AP, copy);
  await world.ddb[EU].send(new UpdateItemCommand(setN(dep.table, 'r', '1')));
  await later(dep.table);
  await deliver(dep, AP, copy); // AP's batch again (a retry after a timeout): the copy lands over EU's later write
  expect((await get(EU, dep.table, 'r'))?.n).toEqual({ N: '0' });
  const eu = await dep.readers[EU].readNew();
  expect(eu.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', expect.any(String), expect.any(String)]);
  await deliver(dep, EU, eu.slice(0, 2)); // EU's writer sees the copy and the plain update only
  await deliver(dep, EU, eu.slice(2));
  await pump(world, dep);
  return dep;
}

test('GIVEN a copy, a plain update over it, a helper write from a clock behind, and the copy landing again WHEN the writer settles the plain update first THEN the helper write wins everywhere', async () => {
  const behind = replicatedWrites({ region: EU, now: () => Date.now() - 10_000 });
  const dep = await copyLandingTwice('relanded', (table) =>
    world.ddb[EU].send(new UpdateItemCommand(behind.update(setN(table, 'r', '2')))),
  );
  await expectConverged(dep.table, 'r', { n: { N: '2' } });
});

test('GIVEN a copy, a plain update over it, a hard delete, and the copy landing again WHEN the writer settles the plain update first THEN the delete wins everywhere', async () => {
  const dep = await copyLandingTwice('relanded-delete', (table) =>
    world.ddb[EU].send(new DeleteItemCommand({ TableName: table, Key: key('r') })),
  );
  await expectConverged(dep.table, 'r', undefined);
});

test('GIVEN a deleted item WHEN it is updated without the helper THEN it is visible everywhere, without the tombstone marker or its expiry', async () => {
  const dep = await deploy(world, uniqueTable('revive'));
  const eu = replicatedWrites({ region: EU });
  await world.ddb[EU].send(new PutItemCommand(eu.put({ TableName: dep.table, Item: { ...key('d'), n: { N: '1' } } })));
  await world.ddb[EU].send(new PutItemCommand(eu.delete({ TableName: dep.table, Key: key('d') })));
  await pump(world, dep);
  await world.ddb[AP].send(
    new UpdateItemCommand({
      TableName: dep.table,
      Key: key('d'),
      UpdateExpression: 'SET m = :m',
      ExpressionAttributeValues: { ':m': { S: 'back' } },
    }),
  );
  await pump(world, dep);
  const item = await expectConverged(dep.table, 'd', { m: { S: 'back' } });
  expect(item!._d).toBeUndefined();
  expect(item!._ttl).toBeUndefined();
  expect(item!._o).toEqual({ S: AP });
});

test('GIVEN a deleted item updated without the helper, then deleted again through the helper at a lower version WHEN the writer settles the update first THEN the delete wins everywhere', async () => {
  const dep = await deploy(world, uniqueTable('revive-deleted'));
  // A clock that stands still: both deletes and the update's minted version fall in one millisecond.
  const at = Date.now() + 5000;
  const eu = replicatedWrites({ region: EU, now: () => at });
  await world.ddb[EU].send(new PutItemCommand(eu.put({ TableName: dep.table, Item: { ...key('t'), n: { N: '0' } } })));
  await world.ddb[EU].send(new PutItemCommand(eu.delete({ TableName: dep.table, Key: key('t') })));
  await world.ddb[EU].send(new UpdateItemCommand(setN(dep.table, 't', '1')));
  const updated = await dep.readers[EU].readNew();
  await world.ddb[EU].send(new PutItemCommand(eu.delete({ TableName: dep.table, Key: key('t') })));
  // The update's version is one millisecond past the deletes' clock: the second delete is below it.
  await deliver(dep, EU, updated);
  await pump(world, dep);
  await expectConverged(dep.table, 't', undefined);
});

test('GIVEN a helper delete from a clock behind, then a plain update reviving it, WHEN the writer sets the delete its version after the update was made THEN the update wins everywhere', async () => {
  const dep = await deploy(world, uniqueTable('revive-restamped'));
  // Past DynamoDB Local's record times, which are whole minutes rounded down.
  const behind = replicatedWrites({ region: EU, now: () => Date.now() - 300_000 });
  const plain = (n: string) => world.ddb[EU].send(new UpdateItemCommand(setN(dep.table, 'u', n)));
  await world.ddb[EU].send(new PutItemCommand({ TableName: dep.table, Item: { ...key('u'), n: { N: '0' } } }));
  // The delete's version is below the plain put's: the writer must give it a version of its own.
  await world.ddb[EU].send(new PutItemCommand(behind.delete({ TableName: dep.table, Key: key('u') })));
  const deleted = await dep.readers[EU].readNew();
  await plain('1');
  // That version lands on the update made over the tombstone (a later local write, which saw it)...
  await deliver(dep, EU, deleted);
  // ...and the update's own version, which also takes the tombstone marker away, must land on it in turn.
  await pump(world, dep);
  await expectConverged(dep.table, 'u', { n: { N: '1' } });
});

test('GIVEN a write made by a clock 10 s behind, after its region saw a write from a clock 5 s ahead WHEN every stream drains THEN the later write wins everywhere', async () => {
  const dep = await deploy(world, uniqueTable('skew'));
  const ahead = replicatedWrites({ region: EU, now: () => Date.now() + 5000 });
  const behind = replicatedWrites({ region: US, now: () => Date.now() - 5000 });
  await world.ddb[EU].send(new PutItemCommand(ahead.put({ TableName: dep.table, Item: { ...key('e'), n: { N: '1' } } })));
  await pump(world, dep);
  await world.ddb[US].send(new PutItemCommand(behind.put({ TableName: dep.table, Item: { ...key('e'), n: { N: '2' } } })));
  await pump(world, dep);
  await expectConverged(dep.table, 'e', { n: { N: '2' } });
});

test('GIVEN an item that masking makes too large for one target only WHEN it is replicated THEN that target alone is parked and the other gets it', async () => {
  const table = uniqueTable('oversize');
  const dep = await deploy(world, table, (r) =>
    r === EU
      ? {
          configOverrides: {
            targets: [
              { region: US, table, endpoint: world.local[US].endpoint },
              { region: AP, table, endpoint: world.local[AP].endpoint, mask: ['p'] },
            ],
          },
        }
      : {},
  );
  world.sqs.messages.length = 0;
  const eu = replicatedWrites({ region: EU });
  // One byte under 409,600 with metadata: masking `p` ('x' -> '***') adds two bytes for AP.
  const probe = eu.put({ TableName: table, Item: { ...key('f'), p: { S: 'x' }, big: { S: '' } } }).Item!;
  const size = Object.entries(probe).reduce((s, [k, v]) => s + k.length + (v.S ?? '').length, 0);
  const big = 'y'.repeat(400 * 1024 - 1 - size);
  await world.ddb[EU].send(new PutItemCommand(eu.put({ TableName: table, Item: { ...key('f'), p: { S: 'x' }, big: { S: big } } })));
  await pump(world, dep);
  expect((await get(US, table, 'f'))?.big?.S?.length).toBe(big.length);
  expect(await get(AP, table, 'f')).toBeUndefined();
  const parked = world.sqs.messages.map((m) => JSON.parse(m.body));
  expect(parked).toHaveLength(1);
  expect(parked[0].reason).toMatch(new RegExp(`${AP}/${table} \\(409601 bytes\\).*parked for that target only`));
  expect(parked[0].reason).not.toContain(US);
});
