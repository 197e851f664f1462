/**
 * Replica writer against real DynamoDB Local instances (one per region) and their real streams.
 * The failure queue is a FAKE SQS (test/support/fake-sqs.ts): SQS has no local counterpart.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../handlers/client';
import { Item, parseVersion } from '../../handlers/lww';
import { streamEvent } from '../support/streams';
import { deploy, Deployment, pump, snapshot, startWorld, uniqueTable, World } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
let world: World;
const invocations: Record<string, any[]> = {};

beforeAll(async () => {
  world = await startWorld([EU, US, AP]);
});
afterAll(async () => {
  await world?.stop();
});

async function freshDeployment(): Promise<Deployment> {
  for (const r of world.regions) invocations[r] = [];
  return deploy(world, uniqueTable('repl'), (r) => ({ onInvocation: (s) => invocations[r].push(s) }));
}

async function get(region: string, table: string, pk: string): Promise<Item | undefined> {
  return (await world.ddb[region].send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item as
    | Item
    | undefined;
}

const sum = (region: string, f: (s: any) => number) => invocations[region].reduce((a, s) => a + f(s), 0);

describe('replica writer', () => {
  test('GIVEN three regions WHEN an item is inserted, updated and deleted through the helper in one region THEN the other two hold each state and echoes are not re-replicated', async () => {
    const dep = await freshDeployment();
    const app = replicatedWrites({ region: EU });
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: dep.table, Item: { pk: { S: 'a' }, n: { N: '1' } } })));
    await pump(world, dep);
    let snap = await snapshot(world, dep.table);
    expect(snap[US].get('a')).toEqual(snap[EU].get('a'));
    expect(snap[AP].get('a')).toEqual(snap[EU].get('a'));
    expect(snap[US].get('a')!.n).toEqual({ N: '1' });

    await world.ddb[EU].send(
      new UpdateItemCommand(
        app.update({
          TableName: dep.table,
          Key: { pk: { S: 'a' } },
          UpdateExpression: 'SET n = :n',
          ExpressionAttributeValues: { ':n': { N: '2' } },
        }),
      ),
    );
    await pump(world, dep);
    snap = await snapshot(world, dep.table);
    expect(snap[AP].get('a')!.n).toEqual({ N: '2' });
    expect(snap[US].get('a')).toEqual(snap[EU].get('a'));

    await world.ddb[EU].send(new PutItemCommand(app.delete({ TableName: dep.table, Key: { pk: { S: 'a' } } })));
    const stats = await pump(world, dep);
    snap = await snapshot(world, dep.table);
    for (const r of [US, AP]) {
      expect(snap[r].get('a')).toEqual(snap[EU].get('a'));
      expect(snap[r].get('a')!._d).toEqual({ BOOL: true });
      expect(app.visible(snap[r].get('a'))).toBeUndefined();
    }
    // Each local write reached each target exactly once; each arrival there was skipped as an echo.
    expect(sum(EU, (s) => s.targets[US]?.replicated ?? 0)).toBe(3);
    expect(sum(EU, (s) => s.targets[AP]?.replicated ?? 0)).toBe(3);
    expect(sum(US, (s) => s.echoesSkipped)).toBe(3);
    expect(sum(AP, (s) => s.echoesSkipped)).toBe(3);
    expect(sum(US, (s) => Object.values<any>(s.targets).reduce((a, t) => a + t.replicated + t.stale, 0))).toBe(0);
    expect(stats.records[US]).toBe(1);
    expect(stats.records[AP]).toBe(1);
  });

  test('GIVEN an item with every attribute type WHEN it is replicated THEN every region holds it byte for byte', async () => {
    const dep = await freshDeployment();
    const allBytes = new Uint8Array(256).map((_, i) => i);
    const item: Item = {
      pk: { S: 'types' },
      s: { S: 'héllo ✓ 𝄞 "quoted" \\ back' },
      n: { N: '-12345678901234567890123456789012345.678' },
      small: { N: '1E-130' },
      b: { B: allBytes },
      t: { BOOL: true },
      f: { BOOL: false },
      nul: { NULL: true },
      m: { M: { nested: { M: { deep: { L: [{ S: 'x' }, { N: '0' }, { B: new Uint8Array([0, 255]) }] } } }, empty: { M: {} } } },
      l: { L: [{ NULL: true }, { BOOL: false }, { SS: ['a'] }, { L: [] }] },
      ss: { SS: ['b', 'a', 'ü'] },
      ns: { NS: ['1', '-2.5', '1000000000000000000000000'] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([0, 0, 0]), allBytes.slice(100)] },
      emptyS: { S: '' },
    };
    const app = replicatedWrites({ region: US });
    await world.ddb[US].send(new PutItemCommand(app.put({ TableName: dep.table, Item: item })));
    await pump(world, dep);
    const original = await get(US, dep.table, 'types');
    expect(world.sqs.messages.map((m) => JSON.parse(m.body).reason)).toEqual([]);
    expect(original).toBeDefined();
    for (const r of [EU, AP]) {
      const copy = await get(r, dep.table, 'types');
      expect(copy).toEqual(original);
      expect(Buffer.from(copy!.b.B!).equals(Buffer.from(allBytes))).toBe(true);
    }
  });

  test('GIVEN writes made without the helper WHEN the writer sees them THEN it stamps them in place and replicates the stamp; a hard delete becomes a replicated tombstone', async () => {
    const dep = await freshDeployment();
    await world.ddb[AP].send(new PutItemCommand({ TableName: dep.table, Item: { pk: { S: 'raw' }, v: { S: 'one' } } }));
    await pump(world, dep);
    let snap = await snapshot(world, dep.table);
    const stamped = snap[AP].get('raw')!;
    expect(parseVersion(stamped._v.S!)?.region).toBe(AP);
    expect(stamped._o).toEqual({ S: AP });
    expect(snap[EU].get('raw')).toEqual(stamped);
    expect(snap[US].get('raw')).toEqual(stamped);
    expect(sum(AP, (s) => s.selfStamped)).toBe(1);

    await world.ddb[AP].send(
      new UpdateItemCommand({
        TableName: dep.table,
        Key: { pk: { S: 'raw' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { S: 'two' } },
      }),
    );
    await pump(world, dep);
    snap = await snapshot(world, dep.table);
    expect(snap[EU].get('raw')!.v).toEqual({ S: 'two' });
    expect(snap[EU].get('raw')!._v.S! > stamped._v.S!).toBe(true);

    await world.ddb[AP].send(new DeleteItemCommand({ TableName: dep.table, Key: { pk: { S: 'raw' } } }));
    await pump(world, dep);
    snap = await snapshot(world, dep.table);
    for (const r of [EU, US, AP]) expect(snap[r].get('raw')!._d).toEqual({ BOOL: true });
    expect(snap[EU].get('raw')).toEqual(snap[AP].get('raw'));
    expect(sum(AP, (s) => s.selfStamped)).toBe(3);
  });

  test("GIVEN a put, an update and a hard delete made without the helper WHEN the writer's first invocation for each has run THEN the other regions already hold what it wrote in place, and the stamp's own record later finds them stale", async () => {
    const dep = await freshDeployment();
    const key = { pk: { S: 'one-round' } };
    const firstInvocationOnly = async (write: () => Promise<unknown>) => {
      await write();
      // What the stream has new: this write (and the previous stamp's own record).
      const records = await dep.readers[AP].readNew();
      expect((await dep.writers[AP](streamEvent(records))).batchItemFailures).toEqual([]);
      const here = await get(AP, dep.table, 'one-round');
      for (const r of [EU, US]) expect(await get(r, dep.table, 'one-round')).toEqual(here);
      return here!;
    };
    const put = await firstInvocationOnly(() =>
      world.ddb[AP].send(new PutItemCommand({ TableName: dep.table, Item: { ...key, v: { S: 'one' } } })),
    );
    expect(put._o).toEqual({ S: AP });
    const updated = await firstInvocationOnly(() =>
      world.ddb[AP].send(
        new UpdateItemCommand({
          TableName: dep.table,
          Key: key,
          UpdateExpression: 'SET v = :v',
          ExpressionAttributeValues: { ':v': { S: 'two' } },
        }),
      ),
    );
    expect(updated.v).toEqual({ S: 'two' });
    expect(updated._v.S! > put._v.S!).toBe(true);
    const deleted = await firstInvocationOnly(() => world.ddb[AP].send(new DeleteItemCommand({ TableName: dep.table, Key: key })));
    expect(deleted._d).toEqual({ BOOL: true });
    // Each copy was made once, by the invocation that wrote in place; the tombstone's own record finds it stale.
    await pump(world, dep);
    const targets = invocations[AP].map((s) => s.targets[EU]).filter(Boolean);
    expect(targets.reduce((a, t) => a + t.replicated, 0)).toBe(3);
    expect(targets.reduce((a, t) => a + t.stale, 0)).toBe(1);
    for (const r of [EU, US]) expect(await get(r, dep.table, 'one-round')).toEqual(await get(AP, dep.table, 'one-round'));
  });

  test('GIVEN items with every attribute type, and with 500 attributes, written and then updated without the helper WHEN the writer sets their versions THEN DynamoDB finds each item holding its record content the first time and every region holds them', async () => {
    const dep = await freshDeployment();
    const typed: Item = {
      pk: { S: 'raw-types' },
      n: { N: '1.50' },
      b: { B: new Uint8Array([0, 255, 7]) },
      nul: { NULL: true },
      m: { M: { deep: { L: [{ SS: ['z', 'a'] }, { B: new Uint8Array([1]) }] } } },
      ss: { SS: ['b', 'a', 'ü'] },
      ns: { NS: ['10', '-2.5', '1e2'] },
      bs: { BS: [new Uint8Array([9]), new Uint8Array([0, 0]), new Uint8Array([1, 2, 3])] },
      'with space.and.dots': { S: '' },
    };
    const wide: Item = { pk: { S: 'raw-wide' } };
    for (let i = 0; i < 500; i++) wide[`attribute_${i}`] = { S: `value ${i}` };
    for (const item of [typed, wide]) await world.ddb[AP].send(new PutItemCommand({ TableName: dep.table, Item: item }));
    await pump(world, dep);
    const update = (pk: string, expression: string, values: Item) =>
      world.ddb[AP].send(
        new UpdateItemCommand({
          TableName: dep.table,
          Key: { pk: { S: pk } },
          UpdateExpression: expression,
          ExpressionAttributeValues: values,
        }),
      );
    await update('raw-types', 'SET m.deep[1] = :b, ns = :ns REMOVE nul', {
      ':b': { BS: [new Uint8Array([5]), new Uint8Array([4])] },
      ':ns': { NS: ['3', '1'] },
    });
    await update('raw-wide', 'SET attribute_7 = :x REMOVE attribute_8', { ':x': { S: 'changed' } });
    await pump(world, dep);
    expect(sum(AP, (s) => s.selfStamped)).toBe(4);
    expect(sum(AP, (s) => s.stampSuperseded + s.contentCheckOverridden + s.repaired + s.parked)).toBe(0);
    const snap = await snapshot(world, dep.table);
    for (const pk of ['raw-types', 'raw-wide']) {
      expect(snap[AP].get(pk)!._o).toEqual({ S: AP });
      expect(snap[EU].get(pk)).toEqual(snap[AP].get(pk));
      expect(snap[US].get(pk)).toEqual(snap[AP].get(pk));
    }
    expect(snap[AP].get('raw-types')!.nul).toBeUndefined();
    expect(snap[AP].get('raw-wide')!.attribute_7).toEqual({ S: 'changed' });

    // Reviving a deleted item uses the content check twice in one condition: it must still fit.
    await world.ddb[AP].send(
      new PutItemCommand(replicatedWrites({ region: AP }).delete({ TableName: dep.table, Key: { pk: { S: 'raw-wide' } } })),
    );
    await pump(world, dep);
    const values: Item = {};
    const sets = Array.from({ length: 150 }, (_, i) => ((values[`:a${i}`] = { S: `back ${i}` }), `attribute_${i} = :a${i}`));
    await update('raw-wide', `SET ${sets.join(', ')}`, values);
    await pump(world, dep);
    expect(sum(AP, (s) => s.selfStamped)).toBe(5);
    expect(sum(AP, (s) => s.stampSuperseded + s.contentCheckOverridden + s.repaired + s.parked)).toBe(0);
    const revived = await snapshot(world, dep.table);
    expect(revived[AP].get('raw-wide')!._d).toBeUndefined();
    expect(revived[AP].get('raw-wide')!.attribute_149).toEqual({ S: 'back 149' });
    for (const r of [EU, US]) expect(revived[r].get('raw-wide')).toEqual(revived[AP].get('raw-wide'));
  });

  test('GIVEN a target that already holds a newer version WHEN an older local write is replicated THEN the target keeps the newer one and the write counts as stale', async () => {
    const dep = await freshDeployment();
    const old = replicatedWrites({ region: EU, now: () => 1_000 });
    const newer = replicatedWrites({ region: US, now: () => 2_000 });
    await world.ddb[US].send(new PutItemCommand(newer.put({ TableName: dep.table, Item: { pk: { S: 'k' }, who: { S: 'us' } } })));
    await world.ddb[EU].send(new PutItemCommand(old.put({ TableName: dep.table, Item: { pk: { S: 'k' }, who: { S: 'eu' } } })));
    // Deliver EU's stream first, so US already holds its newer write when EU's arrives.
    const euRecords = await dep.readers[EU].readNew();
    await dep.writers[EU](streamEvent(euRecords));
    expect(invocations[EU][0].targets[US].stale).toBe(1);
    expect(invocations[EU][0].targets[AP].replicated).toBe(1);
    await pump(world, dep);
    const snap = await snapshot(world, dep.table);
    for (const r of [EU, US, AP]) expect(snap[r].get('k')!.who).toEqual({ S: 'us' });
  });

  test('GIVEN a TTL delete in the stream WHEN the writer sees it THEN nothing is written anywhere and it is counted', async () => {
    const dep = await freshDeployment();
    const app = replicatedWrites({ region: EU });
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: dep.table, Item: { pk: { S: 'expiring' } } })));
    await pump(world, dep);
    await world.ddb[EU].send(new DeleteItemCommand({ TableName: dep.table, Key: { pk: { S: 'expiring' } } }));
    const [remove] = await dep.readers[EU].readNew();
    expect(remove.eventName).toBe('REMOVE');
    // DynamoDB Local does not expire items itself: the real REMOVE record is given the identity
    // DynamoDB's TTL process puts on its deletes (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html).
    remove.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
    const res = await dep.writers[EU](streamEvent([remove]));
    expect(res.batchItemFailures).toEqual([]);
    expect(invocations[EU].at(-1).ttlSkipped).toBe(1);
    expect(await get(EU, dep.table, 'expiring')).toBeUndefined();
    expect(await get(US, dep.table, 'expiring')).toBeDefined();
    expect(await get(AP, dep.table, 'expiring')).toBeDefined();
  });

  test('GIVEN a target that omits and masks attributes WHEN an item is replicated THEN that target gets it without the omitted and with the masked values, keys and metadata untouched', async () => {
    for (const r of world.regions) invocations[r] = [];
    const table = uniqueTable('mask');
    const dep = await deploy(world, table, (r) =>
      r === EU
        ? {
            configOverrides: {
              targets: [
                { region: US, table, endpoint: world.local[US].endpoint, omit: ['secret', 'pk'], mask: ['email', '_v'] },
                { region: AP, table, endpoint: world.local[AP].endpoint },
              ],
            },
          }
        : {},
    );
    const app = replicatedWrites({ region: EU });
    await world.ddb[EU].send(
      new PutItemCommand(
        app.put({ TableName: table, Item: { pk: { S: 'p' }, secret: { S: 's' }, email: { S: 'a@b.c' }, name: { S: 'n' } } }),
      ),
    );
    await pump(world, dep);
    const snap = await snapshot(world, table);
    const original = snap[EU].get('p')!;
    expect(snap[AP].get('p')).toEqual(original);
    const { secret: _s, email: _e, ...kept } = original;
    expect(snap[US].get('p')).toEqual({ ...kept, email: { S: '***' } });
  });
});
