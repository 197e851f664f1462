/**
 * Grants equal calls for a ReplicatedTable's replica writers and its cross-account
 * access role. The real writer (handlers/replicate/index.ts with its own Lambda clients, configured by
 * its synthesized environment) is driven through every path that calls AWS; each call is recorded
 * on the wire with the key it was signed with (test/support/recording-endpoint.ts). Then each
 * synthesized role must grant exactly the calls made with it, plus what the Lambda service calls
 * with it (test/support/lambda-service-calls.ts, each with its AWS documentation), on exactly those
 * resources: no more, no fewer.
 * Stand-ins, said plainly: one DynamoDB Local per region; a FAKE SQS failure queue
 * (test/support/fake-sqs.ts) and a FAKE STS (test/support/fake-sts.ts), which have no local
 * counterparts; this file plays the event source mapping (it reads each stream and invokes the
 * region's writer, applying the mapping's synthesized filters).
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Testing } from 'cdktf';
import { replicatedWrites } from '../../handlers/client';
import { Item } from '../../handlers/lww';
import { ACCOUNT, idOf, minus, pair, resolveValue, roleGrants, roleIdByArn, roleOfFunction } from '../support/iam-grants';
import { lambdaServiceGrants } from '../support/lambda-service-calls';
import { ASSUMED, FakeSts, startFakeSts } from '../support/fake-sts';
import { quietLocalQueueUrlWarnings } from '../support/fake-sqs';
import { RecordedCall, RecordingEndpoint, startRecordingEndpoint } from '../support/recording-endpoint';
import { deliverSynthesized, deploySynthesized, pumpSynthesized, SynthesizedDeployment } from '../modules/support/synthesized-deployment';
import { newStack, providers } from '../modules/support/replication';
import { ReplicatedTable } from '../../modules';
import { startWorld, World } from './support/world';
import { startTcpGate, TcpGate } from '../support/tcp-gate';

const [EU, US] = ['eu-west-1', 'us-east-1'];
/** US is another account's table: writers assume this role (ReplicatedTable.accessRole) to write it. */
const ACCESS_ROLE = 'arn:aws:iam::210987654321:role/customers-replica-writes';
const saved = { ...process.env };
let world: World;
let sts: FakeSts;
const endpoints: RecordingEndpoint[] = [];
let json: any;
let dep: SynthesizedDeployment;
/** Each region's DynamoDB Local as the writers and drainers reach it as a target, behind a gate that can refuse. */
const gates: Record<string, TcpGate> = {};
const tallies: Record<
  string,
  { replicated: Record<string, number>; selfStamped: number; repaired: number; statesSaved: number; parked: number; failedRecords: number }
> = {};

/** Each writer signs with its own key, as each function has its own role's credentials in Lambda. */
const keyOf = (writerId: string) =>
  `AKID${writerId
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(-24)
    .toUpperCase()}`;
const calls = (): RecordedCall[] => endpoints.flatMap((e) => e.calls);

/** Customers in EU (home) and in US, whose table is in another account, with that account's access role. */
function synthesize(): any {
  const stack = newStack();
  const p = providers(stack, [EU, US]);
  const table = new ReplicatedTable(stack, 'Customers', {
    tableName: 'customers',
    partitionKey: { name: 'pk', type: 'S' },
    home: { region: EU, provider: p[EU] },
    replicas: [{ region: US, provider: p[US], writerRoleArn: ACCESS_ROLE }],
  });
  table.accessRole(stack, 'Access', US, { roleName: ACCESS_ROLE.split('/')[1] });
  return JSON.parse(Testing.synth(stack));
}

beforeAll(async () => {
  quietLocalQueueUrlWarnings();
  json = synthesize();
  world = await startWorld([EU, US]);
  sts = await startFakeSts();
  const record = async (upstream: string) => {
    const e = await startRecordingEndpoint({ upstream, account: ACCOUNT });
    endpoints.push(e);
    return e.endpoint;
  };
  const regions = { [EU]: await record(world.local[EU].endpoint), [US]: await record(world.local[US].endpoint) };
  const sqs = await record(new URL(world.sqs.queueUrl).origin);
  for (const r of [EU, US]) gates[r] = await startTcpGate(world.local[r].port);
  const asTarget = { [EU]: await record(gates[EU].endpoint), [US]: await record(gates[US].endpoint) };
  process.env.AWS_ENDPOINT_URL_STS = await record(sts.endpoint);
  dep = await deploySynthesized(world, json, {
    clients: 'lambda',
    endpoint: (region) => regions[region],
    targetEndpoint: (region) => asTarget[region],
    failureQueueUrl: (name) => `${sqs}/${ACCOUNT}/${name}`,
    env: ({ id, region }) => ({ AWS_REGION: region, AWS_ACCESS_KEY_ID: keyOf(id), AWS_SECRET_ACCESS_KEY: 'writer-secret' }),
    onInvocation: (id, s) => {
      const t = (tallies[id] ??= { replicated: {}, selfStamped: 0, repaired: 0, statesSaved: 0, parked: 0, failedRecords: 0 });
      for (const [r, c] of Object.entries(s.targets)) t.replicated[r] = (t.replicated[r] ?? 0) + c.replicated;
      t.selfStamped += s.selfStamped;
      t.repaired += s.repaired;
      t.statesSaved += s.statesSaved;
      t.parked += s.parked;
      t.failedRecords += s.failedRecords;
    },
  });
  for (const [me, them] of [
    [EU, US],
    [US, EU],
  ])
    await everyPathThatCalls(me, them);
  for (const [me, them] of [
    [EU, US],
    [US, EU],
  ])
    await backlogPaths(me, them);
});

afterAll(async () => {
  process.env = saved;
  await Promise.all(endpoints.map((e) => e.stop()));
  await Promise.all(Object.values(gates).map((g) => g.stop()));
  await sts?.stop();
  await world?.stop();
});

/** Drives the writer of `me` through every path that calls AWS; `them` is the other region. */
async function everyPathThatCalls(me: string, them: string): Promise<void> {
  const table = dep.tableName;
  const key = (name: string): Item => ({ pk: { S: `${me}-${name}` } });
  const write = (region: string, item: Item) => world.ddb[region].send(new PutItemCommand({ TableName: table, Item: item }));
  const helperWrite = (region: string, item: Item, skewMs = 0) =>
    world.ddb[region].send(
      new PutItemCommand(replicatedWrites({ region, now: () => Date.now() + skewMs }).put({ TableName: table, Item: item })),
    );

  // Replicate a helper write to the target (directly, or with the assumed role); version a plain
  // write in place; park a write whose version is malformed.
  await helperWrite(me, key('helper'));
  await write(me, key('plain'));
  await write(me, { ...key('malformed'), _v: { S: 'not-a-version' } });
  await pumpSynthesized(dep);
  // A hard delete becomes a tombstone.
  await world.ddb[me].send(new DeleteItemCommand({ TableName: table, Key: key('plain') }));
  await pumpSynthesized(dep);
  // A replicated write that should lose lands on a plain write before the writer versions it:
  // the writer puts the plain write back over it. The losing write's clock is 90 s behind because
  // DynamoDB Local rounds record times down to the minute, and the plain write's version with them.
  await helperWrite(them, { ...key('race'), by: { S: them } }, -90_000);
  await write(me, { ...key('race'), by: { S: me } });
  const held = await dep.readers[me].readNew();
  await deliverSynthesized(dep, them, await dep.readers[them].readNew());
  await deliverSynthesized(dep, me, held);
  await pumpSynthesized(dep);
  // Two plain writes with the writer polling between them: the item does not carry the floor, which is saved.
  await write(me, { ...key('split'), n: { N: '1' } });
  const first = await dep.readers[me].readNew();
  await write(me, { ...key('split'), n: { N: '2' } });
  await deliverSynthesized(dep, me, first);
  await pumpSynthesized(dep);
}

/**
 * The target refuses: the writer keeps the copy in its backlog; the drainer's run finds the target
 * still down and re-marks the entry; once the target is back the next run applies and removes it.
 */
async function backlogPaths(me: string, them: string): Promise<void> {
  const item: Item = { pk: { S: `${me}-backlogged` } };
  await gates[them].shut();
  await world.ddb[me].send(new PutItemCommand(replicatedWrites({ region: me }).put({ TableName: dep.tableName, Item: item })));
  await pumpSynthesized(dep);
  const drainer = dep.drainers.find((d) => d.region === me)!;
  const down = await drainer.handler();
  await gates[them].open();
  const up = await drainer.handler();
  const [id] = Object.keys(up);
  drained[me] = { downDepth: down[id].depth, failing: down[id].failing !== undefined, applied: up[id].applied, upDepth: up[id].depth };
}
const drained: Record<string, { downDepth: number; failing: boolean; applied: number; upDepth: number }> = {};

const drainerId = (region: string) => dep.drainers.find((d) => d.region === region)!.id;
const writerId = (region: string) => dep.writers.find((w) => w.region === region)!.id;
const tableArn = (region: string) =>
  resolveValue(json, `\${aws_dynamodb_table.${idOf(json, 'aws_dynamodb_table', `Table-${region}_`)}.arn}`);
const ownArn = (region: string, type: string, part: string) =>
  resolveValue(json, `\${${type}.${idOf(json, type, `Writer-${region}_${part}`)}.arn}`);
const calledWith = (key: string) =>
  new Set(
    calls()
      .filter((c) => c.accessKeyId === key)
      .flatMap((c) => c.resources.map((r) => pair(c.action, r))),
  );

describe('replica writer: grants equal calls', () => {
  test('GIVEN the scenarios WHEN they ran THEN every writer took every path that calls AWS, and the regions converged', async () => {
    for (const [me, them] of [
      [EU, US],
      [US, EU],
    ]) {
      const t = tallies[writerId(me)];
      expect([me, t.replicated[them] > 0, t.selfStamped >= 2, t.repaired, t.statesSaved > 0, t.parked, t.failedRecords]).toEqual([
        me,
        true,
        true,
        1,
        true,
        1,
        0,
      ]);
      const tombstone = await world.ddb[me].send(
        new GetItemCommand({ TableName: dep.tableName, Key: { pk: { S: `${me}-plain` } }, ConsistentRead: true }),
      );
      expect(tombstone.Item?._d).toEqual({ BOOL: true });
      const race = await Promise.all(
        [EU, US].map((r) =>
          world.ddb[r].send(new GetItemCommand({ TableName: dep.tableName, Key: { pk: { S: `${me}-race` } }, ConsistentRead: true })),
        ),
      );
      expect(race.map((r) => r.Item?.by)).toEqual([{ S: me }, { S: me }]);
    }
    expect(world.sqs.messages.map((m) => JSON.parse(m.body).reason)).toEqual(
      [EU, US].map(() => 'new image has a malformed version attribute _v: {"S":"not-a-version"}'),
    );
  });

  test('GIVEN the recorded calls THEN each was signed by a writer or by the role it assumed, and each writer made exactly the calls of its protocol', () => {
    const keys = new Set([...dep.writers.map((w) => keyOf(w.id)), ...dep.drainers.map((d) => keyOf(d.id)), ASSUMED.accessKeyId]);
    expect(calls().filter((c) => !keys.has(c.accessKeyId) || c.action.includes('Unknown'))).toEqual([]);
    const queue = (region: string) => ownArn(region, 'aws_sqs_queue', 'Failures_Queue');
    const state = (region: string) => ownArn(region, 'aws_dynamodb_table', 'State');
    const backlog = (region: string) => ownArn(region, 'aws_dynamodb_table', 'Backlog_Table');
    const own = (region: string) => [
      pair('dynamodb:UpdateItem', backlog(region)),
      pair('dynamodb:BatchGetItem', state(region)),
      pair('dynamodb:PutItem', state(region)),
      pair('dynamodb:PutItem', tableArn(region)),
      pair('dynamodb:UpdateItem', tableArn(region)),
      pair('sqs:SendMessage', queue(region)),
    ];
    // EU writes the other account's US table with the assumed role; US writes EU's with its own.
    expect([...calledWith(keyOf(writerId(EU)))].sort()).toEqual([...own(EU), pair('sts:AssumeRole', ACCESS_ROLE)].sort());
    expect([...calledWith(keyOf(writerId(US)))].sort()).toEqual([...own(US), pair('dynamodb:PutItem', tableArn(EU))].sort());
    expect([...calledWith(ASSUMED.accessKeyId)]).toEqual([pair('dynamodb:PutItem', tableArn(US))]);
    // The writer's role once, the drainer's once: each client assumes it on its first write.
    expect(sts.calls.map((c) => c.get('RoleArn'))).toEqual([ACCESS_ROLE, ACCESS_ROLE]);
    // ...and reads the source's own item for each entry before applying it.
    const drains = (region: string) => [
      ...['DeleteItem', 'Query', 'UpdateItem'].map((a) => pair(`dynamodb:${a}`, backlog(region))),
      pair('dynamodb:GetItem', tableArn(region)),
    ];
    expect([...calledWith(keyOf(drainerId(EU)))].sort()).toEqual([...drains(EU), pair('sts:AssumeRole', ACCESS_ROLE)].sort());
    expect([...calledWith(keyOf(drainerId(US)))].sort()).toEqual([...drains(US), pair('dynamodb:PutItem', tableArn(EU))].sort());
  });

  test('GIVEN a target that refused WHEN the drainer ran while it was down and after it returned THEN it kept, re-marked, applied and removed the copy', async () => {
    expect(drained).toEqual({
      [EU]: { downDepth: 1, failing: true, applied: 1, upDepth: 0 },
      [US]: { downDepth: 1, failing: true, applied: 1, upDepth: 0 },
    });
    for (const [me, them] of [
      [EU, US],
      [US, EU],
    ]) {
      const copy = await world.ddb[them].send(
        new GetItemCommand({ TableName: dep.tableName, Key: { pk: { S: `${me}-backlogged` } }, ConsistentRead: true }),
      );
      expect(copy.Item).toBeDefined();
    }
  });

  test.each([EU, US])(
    'GIVEN the synthesized stack WHEN the %s drainer role is read THEN it grants exactly its recorded calls plus the Lambda service calls',
    (region) => {
      const id = drainerId(region);
      const needed = new Set([...calledWith(keyOf(id)), ...lambdaServiceGrants(json, id)]);
      const granted = roleGrants(json, roleOfFunction(json, id));
      expect({ grantedNotCalled: minus(granted, needed), calledNotGranted: minus(needed, granted) }).toEqual({
        grantedNotCalled: [],
        calledNotGranted: [],
      });
    },
  );

  test.each([EU, US])(
    'GIVEN the synthesized stack WHEN the %s writer role is read THEN it grants exactly its recorded calls plus the Lambda service calls',
    (region) => {
      const id = writerId(region);
      const needed = new Set([...calledWith(keyOf(id)), ...lambdaServiceGrants(json, id)]);
      const granted = roleGrants(json, roleOfFunction(json, id));
      expect({ grantedNotCalled: minus(granted, needed), calledNotGranted: minus(needed, granted) }).toEqual({
        grantedNotCalled: [],
        calledNotGranted: [],
      });
    },
  );

  test('GIVEN the synthesized access role of the cross-account region THEN it grants exactly the calls made with it', () => {
    const granted = roleGrants(json, roleIdByArn(json, ACCESS_ROLE));
    const called = calledWith(ASSUMED.accessKeyId);
    expect({ grantedNotCalled: minus(granted, called), calledNotGranted: minus(called, granted) }).toEqual({
      grantedNotCalled: [],
      calledNotGranted: [],
    });
  });
});
