/**
 * The replica writer bundle as Lambda would run it: built by scripts/bundle-handlers.ts, loaded
 * in a clean Node process configured only by environment variables (credentials included, as
 * Lambda provides them), writing into DynamoDB Local and parking into a FAKE SQS.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { replicatedWrites } from '../../handlers/client';
import { bundleEntry, bundleHandlers, CLI_ENTRIES, HANDLER_ENTRIES } from '../../scripts/bundle-handlers';
import { FakeSts, startFakeSts } from '../support/fake-sts';
import { createStreamTable, streamEvent } from '../support/streams';
import { runBundle } from './support/run-bundle';
import { stateTableName } from './support/state-table';
import { deploy, startWorld, uniqueTable, World } from './support/world';

const BUDGET_BYTES = 450 * 1024;
let world: World;
let sts: FakeSts;
let bundlePath: string;
let firstBundles: { name: string; path: string }[];

beforeAll(async () => {
  const [started, results, fakeSts] = await Promise.all([
    startWorld(['eu-west-1', 'us-east-1']),
    bundleHandlers(mkdtempSync(join(tmpdir(), 'bundles-'))),
    startFakeSts(),
  ]);
  world = started;
  sts = fakeSts;
  firstBundles = results;
  bundlePath = results.find((r) => r.name === 'replicate')!.path;
});
afterAll(async () => {
  await sts?.stop();
  await world?.stop();
});

test('GIVEN the handler and CLI entries WHEN bundled twice into different folders THEN the bundles are byte-identical', async () => {
  const again = await bundleHandlers(mkdtempSync(join(tmpdir(), 'bundles-')));
  expect(Object.keys(HANDLER_ENTRIES)).toEqual(['replicate', 'redrive', 'drain-backlog']);
  expect(Object.keys(CLI_ENTRIES)).toEqual(['backfill-cli']);
  expect(again.map((r) => r.name).sort()).toEqual(['backfill-cli', 'drain-backlog', 'redrive', 'replicate']);
  for (const r of again) {
    const first = firstBundles.find((f) => f.name === r.name)!;
    expect({ name: r.name, identical: readFileSync(r.path).equals(readFileSync(first.path)) }).toEqual({ name: r.name, identical: true });
  }
});

test('GIVEN the replica writer bundle THEN it fits the 450 KB budget and carries the environment credential provider instead of the Node chain', async () => {
  const { code, inputs } = await bundleEntry(HANDLER_ENTRIES.replicate);
  expect(code.length).toBeLessThanOrEqual(BUDGET_BYTES);
  expect(inputs.some((i) => i.includes('credential-provider-env'))).toBe(true);
  expect(inputs.filter((i) => /credential-provider-(node|ini|sso|process|imds)/.test(i))).toEqual([]);
  // ES module builds of the SDK, which esbuild can tree-shake.
  expect(inputs.some((i) => i.includes('client-dynamodb/dist-es'))).toBe(true);
  expect(readFileSync(bundlePath).toString()).not.toMatch(/\/work\/|sourceMappingURL/);
});

test('GIVEN the bundle in a fresh Node process configured by environment only WHEN it handles a batch THEN it replicates, parks the bad record, and reports no failure', async () => {
  const table = uniqueTable('bundle');
  const dep = await deploy(world, table);
  // A second target "in another account": same DynamoDB Local, written with an assumed role (FAKE STS).
  await createStreamTable(world.ddb['us-east-1'], `${table}-xacct`);
  const app = replicatedWrites({ region: 'eu-west-1' });
  await world.ddb['eu-west-1'].send(
    new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'from-bundle' }, b: { B: new Uint8Array([0, 1, 254, 255]) } } })),
  );
  const records = await dep.readers['eu-west-1'].readNew();
  const broken = JSON.parse(JSON.stringify(records[0]));
  broken.dynamodb.SequenceNumber = '9';
  broken.dynamodb.NewImage._v = { S: 'garbage' };
  const sent = world.sqs.messages.length;
  const run = await runBundle(bundlePath, streamEvent([...records, broken]), {
    REPLICATION_SOURCE_ENDPOINT: world.local['eu-west-1'].endpoint,
    REPLICATION_TARGETS: JSON.stringify([
      { region: 'us-east-1', table, endpoint: world.local['us-east-1'].endpoint },
      {
        region: 'us-east-1',
        table: `${table}-xacct`,
        endpoint: world.local['us-east-1'].endpoint,
        roleArn: 'arn:aws:iam::222222222222:role/w',
      },
    ]),
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    REPLICATION_FAILURE_QUEUE_URL: world.sqs.queueUrl,
    REPLICATION_STATE_TABLE: stateTableName(table),
    POWERTOOLS_SERVICE_NAME: 'replica-writer-test',
  });
  expect(run.stderr).not.toMatch(/Error:/);
  expect(run.status).toBe(0);
  expect(run.result).toEqual({ batchItemFailures: [] });
  const copy = await world.ddb['us-east-1'].send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'from-bundle' } } }));
  expect(Buffer.from(copy.Item!.b.B!)).toEqual(Buffer.from([0, 1, 254, 255]));
  const crossAccount = await world.ddb['us-east-1'].send(
    new GetItemCommand({ TableName: `${table}-xacct`, Key: { pk: { S: 'from-bundle' } } }),
  );
  expect(crossAccount.Item).toEqual(copy.Item);
  expect(sts.calls.map((c) => c.get('RoleArn'))).toEqual(['arn:aws:iam::222222222222:role/w']);
  const parked = world.sqs.messages.slice(sent).map((m) => JSON.parse(m.body));
  expect(parked.map((p) => p.reason)).toEqual(['new image has a malformed version attribute _v: {"S":"garbage"}']);
  // Structured JSON logs and EMF metrics on stdout.
  const json = run.json;
  expect(json.find((l) => l.message === 'batch replicated')).toMatchObject({
    level: 'INFO',
    service: 'replica-writer-test',
    records: 2,
    parked: 1,
  });
  expect(json.find((l) => l.TargetRegion === 'us-east-1')).toMatchObject({ Replicated: 2 });
});
