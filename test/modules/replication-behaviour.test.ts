/**
 * The construct and the handler agree: each writer's synthesized environment (and its mapping's
 * filter criteria) drives the real replica writer against DynamoDB Local instances standing in
 * for the regions, and the regions converge as the construct promised, masks and omissions
 * included.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Testing } from 'cdktf';
import { multiRegionStack, MULTI_REGION_REGIONS } from '../../examples/multi-region';
import { replicatedWrites } from '../../handlers/client';
import { Item } from '../../handlers/lww';
import { scanAll, startWorld, World } from '../handlers/support/world';
import { deploySynthesized, pumpSynthesized } from './support/synthesized-deployment';
import { replicated } from './support/replication';

const [EU, US, SYD] = MULTI_REGION_REGIONS;
let world: World;

beforeAll(async () => {
  world = await startWorld(MULTI_REGION_REGIONS);
});
afterAll(async () => {
  await world?.stop();
});

const byKey = (items: Item[]) => new Map(items.map((i) => [i.pk.S!, i]));
const customer = (pk: string, name: string): Item => ({
  pk: { S: pk },
  name: { S: name },
  email: { S: `${pk}@example.com` },
  phone: { S: '+353 1 234 5678' },
  dateOfBirth: { S: '1980-02-29' },
  visits: { N: '3' },
});

describe('ReplicatedTable + replica writer (DynamoDB Local regions)', () => {
  test('GIVEN the multi-region example WHEN applications write in every region without the helper THEN the writable regions converge and the read replica holds every item without e-mail and with masked phone and birth date', async () => {
    const json = JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'multi-region')));
    const dep = await deploySynthesized(world, json);
    expect(dep.writers.map((w) => w.region).sort()).toEqual([EU, US].sort());
    const table = dep.tableName;
    const put = (region: string, item: Item) => world.ddb[region].send(new PutItemCommand({ TableName: table, Item: item }));

    await put(EU, customer('c1', 'Aoife'));
    await put(US, customer('c2', 'Bob'));
    await put(EU, customer('c3', 'Cara'));
    await pumpSynthesized(dep);
    // Conflicting writes of one key in two regions, and a hard delete.
    await put(EU, customer('c1', 'Aoife (EU edit)'));
    await put(US, customer('c1', 'Aoife (US edit)'));
    await world.ddb[US].send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'c3' } } }));
    // A write in the read replica stays there.
    await put(SYD, customer('local-only', 'Sydney'));
    await pumpSynthesized(dep);

    const [eu, us, syd] = await Promise.all([EU, US, SYD].map(async (r) => byKey(await scanAll(world.ddb[r], table))));
    expect([...eu.keys()].sort()).toEqual(['c1', 'c2', 'c3']);
    expect(us).toEqual(eu);
    expect(['Aoife (EU edit)', 'Aoife (US edit)']).toContain(eu.get('c1')!.name.S);
    expect(eu.get('c3')).toMatchObject({ _d: { BOOL: true } });
    for (const [pk, full] of eu) {
      const copy = syd.get(pk)!;
      const expected: Item = { ...full };
      delete expected.email;
      if (expected.phone) expected.phone = { S: '***' };
      if (expected.dateOfBirth) expected.dateOfBirth = { S: '***' };
      expect([pk, copy]).toEqual([pk, expected]);
    }
    expect(syd.get('c2')).toMatchObject({
      pk: { S: 'c2' },
      name: { S: 'Bob' },
      phone: { S: '***' },
      dateOfBirth: { S: '***' },
      visits: { N: '3' },
      _o: { S: US },
    });
    expect(syd.get('c2')!.email).toBeUndefined();
    expect(syd.has('local-only')).toBe(true);
    expect(eu.has('local-only')).toBe(false);
    expect(world.sqs.messages).toEqual([]);
  });

  test('GIVEN stampedWritesOnly and a replicated-items filter WHEN applications write through the helper THEN echoes and other items are dropped before invocation, and matching items and deletes converge', async () => {
    const { synth } = replicated({ tableName: 'accounts', stampedWritesOnly: true, replicateItemsWhere: { tier: { S: ['gold'] } } }, [
      EU,
      US,
    ]);
    const dep = await deploySynthesized(world, synth());
    const helper = (region: string) => replicatedWrites({ region });
    const put = (region: string, pk: string, tier: string) =>
      world.ddb[region].send(new PutItemCommand(helper(region).put({ TableName: 'accounts', Item: { pk: { S: pk }, tier: { S: tier } } })));

    await put(EU, 'g1', 'gold');
    await put(US, 'g2', 'gold');
    await put(EU, 's1', 'silver');
    const first = await pumpSynthesized(dep);
    await world.ddb[US].send(new PutItemCommand(helper(US).delete({ TableName: 'accounts', Key: { pk: { S: 'g1' } } })));
    const second = await pumpSynthesized(dep);

    const [eu, us] = await Promise.all([EU, US].map(async (r) => byKey(await scanAll(world.ddb[r], 'accounts'))));
    expect([...eu.keys()].sort()).toEqual(['g1', 'g2', 's1']);
    expect([...us.keys()].sort()).toEqual(['g1', 'g2']);
    expect(us.get('g1')).toEqual(eu.get('g1'));
    expect(eu.get('g1')).toMatchObject({ _d: { BOOL: true }, _o: { S: US } });
    expect(us.get('g2')).toEqual(eu.get('g2'));
    // Delivered: g1, g2 and the tombstone, once each at their origin; dropped: s1 and the echoes of g1, g2 and the tombstone.
    expect([first.delivered + second.delivered, first.filteredOut + second.filteredOut]).toEqual([3, 4]);
  });

  test('GIVEN per-target writers WHEN applications write in all three regions without the helper THEN the six single-target writers converge every region', async () => {
    const { synth } = replicated({ tableName: 'pertarget', writerLayout: 'per-target' });
    const dep = await deploySynthesized(world, synth());
    expect(dep.writers.map((w) => `${w.region}>${w.config.targets.map((t) => t.region).join(',')}`).sort()).toEqual(
      MULTI_REGION_REGIONS.flatMap((s) => MULTI_REGION_REGIONS.filter((t) => t !== s).map((t) => `${s}>${t}`)).sort(),
    );
    for (const [i, r] of MULTI_REGION_REGIONS.entries()) {
      await world.ddb[r].send(new PutItemCommand({ TableName: 'pertarget', Item: { pk: { S: `from-${r}` }, n: { N: String(i) } } }));
      await world.ddb[r].send(new PutItemCommand({ TableName: 'pertarget', Item: { pk: { S: 'shared' }, by: { S: r } } }));
    }
    await pumpSynthesized(dep);
    const [eu, us, syd] = await Promise.all(MULTI_REGION_REGIONS.map(async (r) => byKey(await scanAll(world.ddb[r], 'pertarget'))));
    expect([...eu.keys()].sort()).toEqual(['from-ap-southeast-2', 'from-eu-west-1', 'from-us-east-1', 'shared']);
    expect(us).toEqual(eu);
    expect(syd).toEqual(eu);
    expect(world.sqs.messages).toEqual([]);
  });

  test('GIVEN one-way mode WHEN the home region and a replica are written THEN the home writes reach every replica and the replica write stays local', async () => {
    const { synth } = replicated({ tableName: 'oneway', mode: 'one-way' });
    const dep = await deploySynthesized(world, synth());
    expect(dep.writers.map((w) => w.region)).toEqual([EU]);
    await world.ddb[EU].send(new PutItemCommand({ TableName: 'oneway', Item: { pk: { S: 'home' } } }));
    await world.ddb[US].send(new PutItemCommand({ TableName: 'oneway', Item: { pk: { S: 'replica-local' } } }));
    await pumpSynthesized(dep);
    const [eu, us, syd] = await Promise.all(MULTI_REGION_REGIONS.map(async (r) => byKey(await scanAll(world.ddb[r], 'oneway'))));
    expect([...eu.keys()]).toEqual(['home']);
    expect(syd.get('home')).toEqual(eu.get('home'));
    expect(us.get('home')).toEqual(eu.get('home'));
    expect(us.has('replica-local')).toBe(true);
  });

  test('GIVEN metrics on WHEN a synthesized writer replicates THEN its lag metric has exactly the namespace and dimensions its alarm watches', async () => {
    const { synth } = replicated({ tableName: 'metered' }, [EU, US]);
    const json = synth();
    const previous = { disabled: process.env.POWERTOOLS_METRICS_DISABLED };
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    try {
      const dep = await deploySynthesized(world, json);
      await world.ddb[EU].send(
        new PutItemCommand(replicatedWrites({ region: EU }).put({ TableName: 'metered', Item: { pk: { S: 'm1' } } })),
      );
      await pumpSynthesized(dep);
    } finally {
      spy.mockRestore();
      process.env.POWERTOOLS_METRICS_DISABLED = previous.disabled;
    }
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    const lag = emf.find((e) => e.ReplicationLag !== undefined && e.SourceRegion === EU);
    expect(lag).toBeDefined();
    const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm as Record<string, any>).find(
      (a) => a.metric_name === 'ReplicationLag' && a.dimensions.SourceRegion === EU,
    );
    const published = lag._aws.CloudWatchMetrics[0];
    expect(published.Namespace).toBe(alarm.namespace);
    expect(Object.fromEntries(published.Dimensions[0].map((d: string) => [d, lag[d]]))).toEqual(alarm.dimensions);
  });
});
