/**
 * Selective replication in the replica writer: per-target `omit` and `mask` lists (the ones
 * ReplicatedTable synthesizes for data-residency regions), against DynamoDB Local regions.
 * A masked value is the fixed string "***" whatever its type; keys and LWW metadata are never
 * touched; last-write-wins still orders the masked copies.
 */
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../handlers/client';
import { Item } from '../../handlers/lww';
import { streamsClient } from '../support/dynamodb-local';
import { StreamReader, streamEvent } from '../support/streams';
import { deploy, Deployment, pump, snapshot, startWorld, uniqueTable, World } from './support/world';

const [EU, US] = ['eu-west-1', 'us-east-1'];
let world: World;

beforeAll(async () => {
  world = await startWorld([EU, US]);
});
afterAll(async () => {
  await world?.stop();
});

/** EU copies into US without `ssn` and with `email`, `profile` and `score` masked. */
async function maskedDeployment(): Promise<Deployment> {
  const table = uniqueTable('selective');
  return deploy(world, table, (r) =>
    r === EU
      ? {
          configOverrides: {
            targets: [{ region: US, table, endpoint: world.local[US].endpoint, omit: ['ssn'], mask: ['email', 'profile', 'score'] }],
          },
        }
      : {},
  );
}

const eu = replicatedWrites({ region: EU });

describe('replica writer: omitted and masked attributes', () => {
  test('GIVEN masked attributes of every type WHEN replicated THEN each becomes the string "***", absent ones stay absent and the rest is copied as is', async () => {
    const dep = await maskedDeployment();
    const item: Item = {
      pk: { S: 'a' },
      ssn: { S: '123-45-6789' },
      email: { S: 'a@example.com' },
      profile: { M: { city: { S: 'Cork' }, tags: { SS: ['x', 'y'] } } },
      score: { N: '42' },
      name: { S: 'Aoife' },
      bin: { B: new Uint8Array([1, 2, 3]) },
    };
    await world.ddb[EU].send(new PutItemCommand(eu.put({ TableName: dep.table, Item: item })));
    await world.ddb[EU].send(new PutItemCommand(eu.put({ TableName: dep.table, Item: { pk: { S: 'b' }, name: { S: 'no secrets' } } })));
    await pump(world, dep);
    const snap = await snapshot(world, dep.table);
    const source = snap[EU].get('a')!;
    expect(snap[US].get('a')).toEqual({
      pk: { S: 'a' },
      email: { S: '***' },
      profile: { S: '***' },
      score: { S: '***' },
      name: { S: 'Aoife' },
      bin: { B: new Uint8Array([1, 2, 3]) },
      _v: source._v,
      _o: { S: EU },
    });
    expect(snap[US].get('b')).toEqual(snap[EU].get('b'));
    expect(world.sqs.messages).toEqual([]);
  });

  test('GIVEN a masked copy WHEN a newer write, a stale replay and a delete follow THEN last-write-wins orders the masked copies like full ones', async () => {
    const dep = await maskedDeployment();
    await world.ddb[EU].send(
      new PutItemCommand(eu.put({ TableName: dep.table, Item: { pk: { S: 'k' }, email: { S: 'old@example.com' }, name: { S: 'v1' } } })),
    );
    await pump(world, dep);
    // The first write's record, read again from the stream start to replay it later (at-least-once delivery).
    const firstRecords = await new StreamReader(streamsClient(world.local[EU].endpoint, EU), dep.readers[EU].streamArn, EU).readNew();
    await world.ddb[EU].send(
      new UpdateItemCommand(
        eu.update({
          TableName: dep.table,
          Key: { pk: { S: 'k' } },
          UpdateExpression: 'SET #n = :n, #s = :s',
          ExpressionAttributeNames: { '#n': 'name', '#s': 'ssn' },
          ExpressionAttributeValues: { ':n': { S: 'v2' }, ':s': { S: '999' } },
        }),
      ),
    );
    await pump(world, dep);
    let snap = await snapshot(world, dep.table);
    expect(snap[US].get('k')).toMatchObject({ name: { S: 'v2' }, email: { S: '***' }, _v: snap[EU].get('k')!._v });
    expect(snap[US].get('k')!.ssn).toBeUndefined();

    // The first version arrives again: the masked copy already holds something newer.
    const replay = await dep.writers[EU](streamEvent(firstRecords.slice(0, 1)));
    expect(replay.batchItemFailures).toEqual([]);
    snap = await snapshot(world, dep.table);
    expect(snap[US].get('k')!.name).toEqual({ S: 'v2' });

    await world.ddb[EU].send(new PutItemCommand(eu.delete({ TableName: dep.table, Key: { pk: { S: 'k' } } })));
    await pump(world, dep);
    snap = await snapshot(world, dep.table);
    expect(snap[US].get('k')).toEqual(snap[EU].get('k'));
    expect(snap[US].get('k')).toMatchObject({ _d: { BOOL: true } });
  });

  test('GIVEN an application that writes without the helper WHEN the writer stamps the item in place THEN the stamped version reaches the target masked', async () => {
    const dep = await maskedDeployment();
    await world.ddb[EU].send(
      new PutItemCommand({ TableName: dep.table, Item: { pk: { S: 'u' }, email: { S: 'u@example.com' }, ssn: { S: '1' } } }),
    );
    await pump(world, dep);
    const snap = await snapshot(world, dep.table);
    const stamped = snap[EU].get('u')!;
    expect(stamped._o).toEqual({ S: EU });
    expect(snap[US].get('u')).toEqual({ pk: { S: 'u' }, email: { S: '***' }, _v: stamped._v, _o: { S: EU } });
  });
});
