/**
 * Replica writer under faults, against real DynamoDB Local regions and their real streams.
 * Fault injection, said plainly:
 * - "region down": the writer reaches one region through a loopback TCP relay that we shut
 *   (real connection refusals; the region's data survives);
 * - throttling: the target's SDK client gets a request handler that answers the first N requests
 *   with DynamoDB's HTTP 400 ProvisionedThroughputExceededException, then forwards to the real one;
 * - the failure queue is a FAKE SQS (there is no local SQS), which can also be made to fail;
 * - DynamoDB finding equal content unequal: the writer's source client sends a stamp's content
 *   check with a value changed, so real DynamoDB Local refuses it with the real item.
 */
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDBRecord } from 'aws-lambda';
import { Readable } from 'stream';
import { replicatedWrites } from '../../handlers/client';
import { createReplicateHandler } from '../../handlers/replicate';
import { dynamoClient } from '../support/dynamodb-local';
import { streamEvent } from '../support/streams';
import { startTcpGate, TcpGate } from '../support/tcp-gate';
import { deploy, localClients, pump, snapshot, startWorld, uniqueTable, World, writerConfig } from './support/world';

const [EU, US, AP] = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
let world: World;
let gate: TcpGate;

beforeAll(async () => {
  world = await startWorld([EU, US, AP]);
  gate = await startTcpGate(world.local[AP].port);
});
afterAll(async () => {
  await gate?.stop();
  await world?.stop();
});

const app = replicatedWrites({ region: EU });
const seqs = (records: DynamoDBRecord[]) => records.map((r) => r.dynamodb!.SequenceNumber!).sort();

/** Answers the first `n` requests with a throttling error, then lets requests through. */
function throttleFirst(n: number) {
  const real = new NodeHttpHandler();
  const state = { remaining: n, throttled: 0 };
  const handler = {
    handle: async (request: any, options?: any) => {
      if (state.remaining > 0) {
        state.remaining--;
        state.throttled++;
        const body = JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'injected throttling',
        });
        // The shape the SDK accepts as an HTTP response (HttpResponse.isInstance checks these fields).
        return {
          response: {
            statusCode: 400,
            reason: 'Bad Request',
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      }
      return real.handle(request, options);
    },
    destroy: () => real.destroy(),
  };
  return { handler, state };
}

describe('replica writer faults', () => {
  test('GIVEN one target region down and no backlog table WHEN a batch is delivered THEN every record of the affected keys is reported, the reachable region is written once, and after recovery all regions converge', async () => {
    const table = uniqueTable('down');
    const dep = await deploy(world, table, (r) =>
      r === EU
        ? {
            configOverrides: {
              backlogTable: undefined,
              targets: [
                { region: US, table, endpoint: world.local[US].endpoint },
                { region: AP, table, endpoint: gate.endpoint },
              ],
            },
          }
        : {},
    );
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'a' }, n: { N: '1' } } })));
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'a' }, n: { N: '2' } } })));
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'b' } } })));
    const batch = await dep.readers[EU].readNew();
    expect(batch).toHaveLength(3);

    await gate.shut();
    const first = await dep.writers[EU](streamEvent(batch));
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(seqs(batch));
    const second = await dep.writers[EU](streamEvent(batch));
    expect(second.batchItemFailures).toHaveLength(3);
    // US got the newest version of each key exactly once (coalesced: one write for "a").
    expect(await dep.readers[US].readNew()).toHaveLength(2);
    const snapDown = await snapshot(world, table);
    expect(snapDown[US].get('a')!.n).toEqual({ N: '2' });
    expect(snapDown[AP].size).toBe(0);

    await gate.open();
    const third = await dep.writers[EU](streamEvent(batch));
    expect(third.batchItemFailures).toEqual([]);
    expect(await dep.readers[US].readNew()).toHaveLength(0);
    await pump(world, dep);
    const snap = await snapshot(world, table);
    for (const r of [US, AP]) {
      expect(snap[r].get('a')).toEqual(snap[EU].get('a'));
      expect(snap[r].get('b')).toEqual(snap[EU].get('b'));
    }
  });

  test('GIVEN a throttled target and no backlog table WHEN throttling outlasts the SDK retries THEN the records are reported and the next delivery succeeds; WHEN it does not THEN the retry absorbs it', async () => {
    const table = uniqueTable('throttle');
    const throttle = throttleFirst(2);
    const onInvocation = jest.fn();
    const dep = await deploy(world, table, (r) =>
      r === EU
        ? {
            configOverrides: { backlogTable: undefined },
            onInvocation,
            clients: localClients((c, t) =>
              t.region === US ? dynamoClient(t.endpoint!, t.region, { maxAttempts: 2, requestHandler: throttle.handler as any }) : c,
            ),
          }
        : {},
    );
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 't' } } })));
    const batch = await dep.readers[EU].readNew();
    const first = await dep.writers[EU](streamEvent(batch));
    expect(throttle.state.throttled).toBe(2);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(seqs(batch));
    const second = await dep.writers[EU](streamEvent(batch));
    expect(second.batchItemFailures).toEqual([]);
    expect(onInvocation.mock.calls[1][0].targets[US].replicated).toBe(1);
    // AP was written on the first delivery; the retry found it already there.
    expect(onInvocation.mock.calls[1][0].targets[AP].stale).toBe(1);

    throttle.state.remaining = 1;
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 't2' } } })));
    const res = await dep.writers[EU](streamEvent(await dep.readers[EU].readNew()));
    expect(res.batchItemFailures).toEqual([]);
    expect(throttle.state.throttled).toBe(3);
    expect((await world.ddb[US].send(new GetItemCommand({ TableName: table, Key: { pk: { S: 't2' } } }))).Item).toBeDefined();
  });

  test('GIVEN DynamoDB finding a plain write unequal to its own stream image (injected) WHEN the writer sets its version THEN it sets it on _v/_o alone, counts it, and every region holds the write', async () => {
    const table = uniqueTable('unequal');
    let injected = 0;
    const clients = localClients((c) => {
      c.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };
          if (injected === 2 || !input.ConditionExpression?.includes(':c0')) return next(args);
          injected++;
          return next({
            ...args,
            input: { ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':c0': { S: 'never stored' } } },
          });
        },
        { step: 'initialize', name: 'unequalContent' },
      );
      return c;
    });
    const counts: { contentCheckOverridden: number; selfStamped: number; stampSuperseded: number }[] = [];
    const dep = await deploy(world, table, (r) => (r === EU ? { clients, onInvocation: (s) => counts.push(s) } : {}));
    await world.ddb[EU].send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'plain' }, n: { N: '1' } } }));
    await pump(world, dep);
    // Once with no `_v`/`_o` to check (a put), once with the ones of a copy that the update kept.
    await world.ddb[US].send(new PutItemCommand(replicatedWrites({ region: US }).put({ TableName: table, Item: { pk: { S: 'plain' } } })));
    await pump(world, dep);
    await world.ddb[EU].send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'plain' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await pump(world, dep);
    expect(injected).toBe(2);
    const total = (k: keyof (typeof counts)[number]) => counts.reduce((a, s) => a + s[k], 0);
    expect([total('contentCheckOverridden'), total('selfStamped'), total('stampSuperseded')]).toEqual([2, 2, 0]);
    expect((await world.ddb[US].send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'plain' } } }))).Item?.n).toEqual({ N: '2' });
    const snap = await snapshot(world, table);
    expect(snap[EU].get('plain')!._o).toEqual({ S: EU });
    for (const r of [US, AP]) expect(snap[r].get('plain')).toEqual(snap[EU].get('plain'));
  });

  test('GIVEN an unstamped item that only fits without replication metadata WHEN the writer sees it THEN it is parked with the full record and its reason, and the batch succeeds', async () => {
    const table = uniqueTable('big');
    // A failure queue that accepts SQS's largest messages (MaximumMessageSize 1048576).
    const dep = await deploy(world, table, () => ({ configOverrides: { parkMaxBytes: 1_048_576 } }));
    const sent = world.sqs.messages.length;
    // 400 KB = 409600 bytes including attribute names: "pk"+"big" + "d" + payload fits; +_v/_o does not.
    const payload = 'x'.repeat(409_600 - 2 - 3 - 1 - 20);
    await world.ddb[EU].send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'big' }, d: { S: payload } } }));
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'small' } } })));
    const batch = await dep.readers[EU].readNew();
    const res = await dep.writers[EU](streamEvent(batch));
    expect(res.batchItemFailures).toEqual([]);
    const parked = world.sqs.messages.slice(sent).map((m) => JSON.parse(m.body));
    expect(parked).toHaveLength(1);
    expect(parked[0].reason).toMatch(/over DynamoDB's 409600-byte item limit/);
    expect(parked[0].record.dynamodb.NewImage.d.S).toBe(payload);
    expect(parked[0].record.dynamodb.SequenceNumber).toBe(batch[0].dynamodb!.SequenceNumber);
    expect(parked[0].omitted).toEqual([]);
    await pump(world, dep);
    const snap = await snapshot(world, table);
    expect(snap[US].has('big')).toBe(false);
    expect(snap[US].has('small')).toBe(true);
  });

  test('GIVEN a failure queue with the default 256 KB message limit WHEN a 400 KB record is parked THEN its images are left out and its stream coordinates and reason kept', async () => {
    const table = uniqueTable('big256');
    const dep = await deploy(world, table, () => ({ configOverrides: { parkMaxBytes: undefined } }));
    const sent = world.sqs.messages.length;
    await world.ddb[EU].send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'big' }, d: { S: 'y'.repeat(409_600 - 2 - 3 - 1 - 20) } } }),
    );
    const batch = await dep.readers[EU].readNew();
    expect((await dep.writers[EU](streamEvent(batch))).batchItemFailures).toEqual([]);
    const [message] = world.sqs.messages.slice(sent);
    expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(262_144);
    const parked = JSON.parse(message.body);
    expect(parked.omitted).toEqual(['NewImage']);
    expect(parked.record.dynamodb.NewImage).toBeUndefined();
    expect(parked.record.dynamodb.Keys).toEqual({ pk: { S: 'big' } });
    expect(parked.record.dynamodb.SequenceNumber).toBe(batch[0].dynamodb!.SequenceNumber);
    expect(parked.record.eventSourceARN).toBe(batch[0].eventSourceARN);
    expect(parked.reason).toMatch(/item limit/);
  });

  test('GIVEN malformed records among good ones WHEN the batch is delivered THEN each bad one is parked with its reason and the good ones replicate', async () => {
    const table = uniqueTable('poison');
    const dep = await deploy(world, table);
    const sent = world.sqs.messages.length;
    await world.ddb[EU].send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'badv' }, _v: { S: 'not-a-version' }, _o: { S: EU } } }),
    );
    await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'good' } } })));
    const [badVersion, good] = await dep.readers[EU].readNew();
    const noKeys: DynamoDBRecord = JSON.parse(JSON.stringify(good));
    delete noKeys.dynamodb!.Keys;
    noKeys.dynamodb!.SequenceNumber = '1';
    const badType: DynamoDBRecord = JSON.parse(JSON.stringify(good));
    (badType.dynamodb!.NewImage as any).pk = { Q: 'x' };
    badType.dynamodb!.SequenceNumber = '2';
    const res = await dep.writers[EU](streamEvent([noKeys, badVersion, badType, good]));
    expect(res.batchItemFailures).toEqual([]);
    const reasons = world.sqs.messages
      .slice(sent)
      .map((m) => JSON.parse(m.body).reason)
      .sort();
    expect(reasons).toEqual([
      'new image has a malformed version attribute _v: {"S":"not-a-version"}',
      'undecodable stream record: NewImage.pk: unknown attribute type "Q"',
      'undecodable stream record: record has no dynamodb.Keys',
    ]);
    expect((await world.ddb[US].send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'good' } } }))).Item).toBeDefined();
    expect((await world.ddb[US].send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'badv' } } }))).Item).toBeUndefined();
  });

  test('GIVEN the failure queue is unavailable WHEN a record must be parked THEN it is reported failed (never dropped) and parked on the next delivery', async () => {
    const table = uniqueTable('sqsdown');
    const dep = await deploy(world, table);
    await world.ddb[EU].send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'badv' }, _v: { N: '1' } } }));
    const batch = await dep.readers[EU].readNew();
    const sent = world.sqs.messages.length;
    world.sqs.failNext(1);
    const first = await dep.writers[EU](streamEvent(batch));
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(seqs(batch));
    const second = await dep.writers[EU](streamEvent(batch));
    expect(second.batchItemFailures).toEqual([]);
    expect(world.sqs.messages.slice(sent)).toHaveLength(1);
  });

  test('GIVEN metrics enabled WHEN a batch replicates THEN EMF lines carry the counts and the lag per target region', async () => {
    const table = uniqueTable('emf');
    const previous = process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    try {
      const dep = await deploy(world, table);
      const writer = createReplicateHandler({ config: writerConfig(world, EU, table), clients: localClients() });
      await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'm' } } })));
      await writer(streamEvent(await dep.readers[EU].readNew()));
    } finally {
      spy.mockRestore();
      process.env.POWERTOOLS_METRICS_DISABLED = previous;
    }
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    const us = emf.find((e) => e.TargetRegion === US);
    expect(us).toMatchObject({ SourceRegion: EU, Replicated: 1, Stale: 0 });
    expect(typeof us.ReplicationLag).toBe('number');
    expect(us._aws.CloudWatchMetrics[0].Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'ReplicationLag', Unit: 'Milliseconds' },
        { Name: 'Replicated', Unit: 'Count' },
      ]),
    );
    const base = emf.find((e) => e.TargetRegion === undefined);
    expect(base).toMatchObject({ EchoesSkipped: 0, SelfStamped: 0, Parked: 0, TtlDeletesSkipped: 0 });
  });
});
