/**
 * Replication through a target region's outage, against real DynamoDB Local regions and streams.
 * Faults, said plainly:
 * - "region down": the other regions' writers and drainers reach it through a loopback TCP relay
 *   that we shut (real connection refusals; the region's own data and writer stay up);
 * - "hangs": a FAKE endpoint that accepts requests and never answers (test/support/fault-proxy.ts);
 * - "access denied": the same FAKE proxy answering DynamoDB's AccessDeniedException in front of
 *   DynamoDB Local (there is no local IAM), then forwarding once "fixed";
 * - an outage past the stream's retention: DynamoDB Local's own time dilation ages the records.
 * The oracle is what the applications wrote, in order (every write through the helper, one at a
 * time, so the last write of a key in real time is the one every region must end with).
 */
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { replicatedWrites } from '../../handlers/client';
import { boundedRequests } from '../../handlers/common/clients';
import { createReplicateHandler } from '../../handlers/replicate';
import type { ReplicationConfig } from '../../handlers/replicate/config';
import type { Item } from '../../handlers/lww';
import { dynamoClient, streamsClient } from '../support/dynamodb-local';
import { FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { StreamReader, streamEvent } from '../support/streams';
import { startTcpGate, TcpGate } from '../support/tcp-gate';
import { backlogTableName } from './support/state-table';
import {
  deploy,
  Deployment,
  drainerFor,
  localClients,
  pump,
  pumpAndDrain,
  snapshot,
  startWorld,
  uniqueTable,
  World,
} from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const REGIONS = [EU, US, AP];
let world: World;
let gate: TcpGate;
let proxy: FaultProxy;

beforeAll(async () => {
  world = await startWorld(REGIONS);
  gate = await startTcpGate(world.local[AP].port);
  proxy = await startFaultProxy(world.local[AP].port);
});
afterAll(async () => {
  await proxy?.stop();
  await gate?.stop();
  await world?.stop();
});

const apps = Object.fromEntries(REGIONS.map((r) => [r, replicatedWrites({ region: r })]));
const lambdaContext = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every other region's writer reaches AP at `endpoint` (the gate or the proxy); AP's own writer is unaffected. */
function apThrough(endpoint: string, extra: Partial<ReplicationConfig> = {}) {
  return (r: string) =>
    r === AP ? {} : { configOverrides: { ...extra, targets: [EU, US, AP].filter((x) => x !== r).map((x) => target(x, endpoint)) } };
}
let currentTable = '';
function target(region: string, apEndpoint: string) {
  return { region, table: currentTable, endpoint: region === AP ? apEndpoint : world.local[region].endpoint };
}

async function backlogFor(source: string, table: string, targetRegion: string): Promise<Item[]> {
  const out = await world.ddb[source].send(new ScanCommand({ TableName: backlogTableName(table), ConsistentRead: true }));
  return ((out.Items ?? []) as Item[]).filter((i) => i.t.S === `${targetRegion}/${table}`);
}

/** Writes `value` to `pk` in `region` through the helper; returns the version it carries. */
async function write(region: string, table: string, pk: string, value: string): Promise<string> {
  const input = apps[region].put({ TableName: table, Item: { pk: { S: pk }, value: { S: value } } });
  await world.ddb[region].send(new PutItemCommand(input));
  await sleep(2); // the next write gets a later millisecond, so real-time order is version order
  return (input.Item as Item)._v.S!;
}

test('GIVEN AP down for a long outage while every region writes WHEN each round is delivered THEN no record is retried, EU and US hold every latest write after each round, every write AP missed is kept for it, and AP converges once it returns and the drainers run', async () => {
  const table = (currentTable = uniqueTable('outage'));
  const dep = await deploy(world, table, apThrough(gate.endpoint));
  const truth = new Map<string, { value: string; version: string; region: string }>();
  await gate.shut();
  for (let round = 0; round < 8; round++) {
    for (const [i, region] of REGIONS.entries()) {
      for (let k = 0; k < 3; k++) {
        const pk = `k${(round + i * 3 + k) % 9}`;
        const value = `r${round}-${region}-${k}`;
        truth.set(pk, { value, version: await write(region, table, pk, value), region });
      }
    }
    // maxRetries 0: a reported failure fails the test (a healthy region's copy delayed by AP).
    await pump(world, dep, { maxRetries: 0 });
    const snap = await snapshot(world, table);
    for (const [pk, w] of truth) {
      for (const r of [EU, US]) expect([round, r, pk, snap[r].get(pk)?.value?.S]).toEqual([round, r, pk, w.value]);
      if (w.region === AP) continue;
      // Acknowledged means applied in AP or kept for AP, at this version or a newer one.
      const kept = (await backlogFor(w.region, table, AP)).find((e) => e.img.M!.pk.S === pk);
      expect([round, pk, kept !== undefined && kept.v.S! >= w.version]).toEqual([round, pk, true]);
    }
  }
  await gate.open();
  const rounds = await pumpAndDrain(world, dep);
  expect(rounds).toBeLessThanOrEqual(3);
  const snap = await snapshot(world, table);
  for (const [pk, w] of truth) {
    expect([pk, snap[AP].get(pk)?.value?.S]).toEqual([pk, w.value]);
    expect(snap[AP].get(pk)).toEqual(snap[EU].get(pk));
    expect(snap[US].get(pk)).toEqual(snap[EU].get(pk));
  }
  for (const r of [EU, US]) expect(await backlogFor(r, table, AP)).toEqual([]);
});

test('GIVEN AP hanging (accepts, never answers) WHEN EU delivers a batch THEN it is acknowledged within the invocation, US is written, AP is asked at most concurrency x attempts times and keeps the rest in the backlog, and the drainer applies it once AP answers', async () => {
  const table = (currentTable = uniqueTable('hang'));
  proxy.mode = { kind: 'hang' };
  const limits = { maxAttempts: 2, requestTimeoutMs: 300, connectTimeoutMs: 5000 };
  const clients = localClients((c, t) => (t.endpoint === proxy.endpoint ? dynamoClient(t.endpoint, t.region, boundedRequests(limits)) : c));
  const dep = await deploy(world, table, (r) => ({ ...apThrough(proxy.endpoint, { concurrency: 4, maxAttempts: 2 })(r), clients }));
  for (let k = 0; k < 20; k++)
    await world.ddb[EU].send(new PutItemCommand(apps[EU].put({ TableName: table, Item: { pk: { S: `h${k}` } } })));
  const asked = proxy.operations.length;
  const res = await dep.writers[EU](streamEvent(await dep.readers[EU].readNew()), lambdaContext(60_000));
  expect(res.batchItemFailures).toEqual([]);
  expect(proxy.operations.length - asked).toBeLessThanOrEqual(4 * 2);
  expect((await snapshot(world, table))[US].size).toBe(20);
  expect(await backlogFor(EU, table, AP)).toHaveLength(20);

  // One that hangs longer than what is left of the invocation: the deadline ends the wait.
  const patient = localClients((c, t) =>
    t.endpoint === proxy.endpoint ? dynamoClient(t.endpoint, t.region, boundedRequests({ maxAttempts: 1, requestTimeoutMs: 600_000 })) : c,
  );
  const late = createReplicateHandler({ config: { ...dep.config[EU], concurrency: 4 }, clients: patient });
  await world.ddb[EU].send(new PutItemCommand(apps[EU].put({ TableName: table, Item: { pk: { S: 'late' } } })));
  const lateRes = await late(streamEvent(await dep.readers[EU].readNew()), lambdaContext(1_000));
  expect(lateRes.batchItemFailures).toEqual([]);
  expect(await backlogFor(EU, table, AP)).toHaveLength(21);

  proxy.mode = { kind: 'forward' };
  const drained = await drainerFor(dep.config[EU])();
  expect(drained[`${AP}/${table}`].failing).toBeUndefined();
  expect(drained[`${AP}/${table}`]).toMatchObject({ applied: 21, depth: 0 });
  await pumpAndDrain(world, dep);
  const snap = await snapshot(world, table);
  expect(snap[AP].size).toBe(21);
  for (const [pk, item] of snap[EU]) expect(snap[AP].get(pk)).toEqual(item);
});

test('GIVEN AP answering AccessDenied (a FAKE proxy: no local IAM) WHEN EU replicates THEN the copies are kept with the reason kind, the drainer reports the target failing as access-denied, and once access is fixed the kept copies drain', async () => {
  const table = (currentTable = uniqueTable('denied'));
  proxy.mode = { kind: 'error', status: 400, type: 'AccessDeniedException', message: 'not authorized to perform: dynamodb:PutItem' };
  const dep = await deploy(world, table, apThrough(proxy.endpoint));
  for (let k = 0; k < 5; k++) await write(EU, table, `d${k}`, `v${k}`);
  await pump(world, dep, { maxRetries: 0 });
  const kept = await backlogFor(EU, table, AP);
  expect(kept.map((e) => e.kind.S)).toEqual(Array(5).fill('access-denied'));
  expect(kept[0].why.S).toMatch(/AccessDeniedException/);
  expect((await snapshot(world, table))[US].size).toBe(5);

  const drainer = drainerFor(dep.config[EU]);
  const denied = (await drainer())[`${AP}/${table}`];
  expect(denied).toMatchObject({ applied: 0, depth: 5, failing: { kind: 'access-denied' } });
  expect(denied.oldestAgeMs).toBeGreaterThanOrEqual(0);

  proxy.mode = { kind: 'forward' };
  expect((await drainer())[`${AP}/${table}`]).toMatchObject({ applied: 5, depth: 0 });
  expect((await drainer())[`${AP}/${table}`]).toMatchObject({ applied: 0, depth: 0 });
  const snap = await snapshot(world, table);
  for (const [pk, item] of snap[EU]) expect(snap[AP].get(pk)).toEqual(item);
});

test('GIVEN AP down longer than the stream keeps records WHEN the records age out of EU stream THEN nothing is lost: AP converges from the backlog when it returns', async () => {
  const table = (currentTable = uniqueTable('retention'));
  const dep: Deployment = await deploy(world, table, apThrough(gate.endpoint));
  await gate.shut();
  for (let k = 0; k < 6; k++) await write(EU, table, `old${k}`, `v${k}`);
  await pump(world, dep, { maxRetries: 0 });
  await world.local[EU].ageStreamRecords(25 * 3600 * 1000);
  // The stream no longer holds them: a reader from its trim horizon finds none of those records.
  const arn = dep.readers[EU].streamArn;
  // (DynamoDB Local answers TrimmedDataAccessException for a shard whose records all aged out.)
  const fresh = await new StreamReader(streamsClient(world.local[EU].endpoint, EU), arn, EU).readNew().catch((e: Error) => {
    expect(e.name).toBe('TrimmedDataAccessException');
    return [];
  });
  expect(fresh.filter((r) => r.dynamodb?.Keys?.pk?.S?.startsWith('old'))).toEqual([]);
  await gate.open();
  // EU's mapping has nothing left to read (its records are gone); the drainer alone brings AP back.
  expect((await drainerFor(dep.config[EU])())[`${AP}/${table}`]).toMatchObject({ applied: 6, depth: 0 });
  for (let k = 0; k < 6; k++) {
    const got = await world.ddb[AP].send(new GetItemCommand({ TableName: table, Key: { pk: { S: `old${k}` } }, ConsistentRead: true }));
    expect(got.Item?.value).toEqual({ S: `v${k}` });
  }
});
