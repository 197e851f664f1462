/**
 * The multi-region example as local/ runs it: its synthesized cdk.tf.json configures everything
 * (tables, the replica writers' zips, environments with resolved references, mapping settings),
 * the writers run from the zips Terraform references, in their own processes, against one
 * DynamoDB Local holding each region's database apart; what they park reaches the local sink
 * through their synthesized queue URL. Tables are created here from the synthesized definitions
 * (tier 5, terraform-apply.test.ts, covers creating them with terraform). The on-failure sink
 * stands in for SQS, which has no local counterpart.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'cdktf';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { multiRegionStack } from '../../examples/multi-region';
import { replicatedWrites } from '../../handlers/client';
import { dynamoClient, DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { compareRegions, scanAll } from '../../local/run/convergence';
import { replicationPlan } from '../../local/run/replication-plan';
import { LocalSink, startLocalSink } from '../../local/sink';
import { createTablesDirectly } from '../../local/synthesized/create-tables';
import { LocalDeployment } from '../../local/synthesized/deployment';
import { readStack, SynthesizedStack } from '../../local/synthesized/stack';

let db: DynamoDbLocal;
let sink: LocalSink;
let stack: SynthesizedStack;
let deployment: LocalDeployment;
const client = (region: string) => dynamoClient(db.endpoint, region);

beforeAll(async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'local-deploy-'));
  const app = new App({ outdir });
  multiRegionStack(app, 'multi-region');
  app.synth();
  stack = readStack(join(outdir, 'stacks', 'multi-region'));
  [db, sink] = await Promise.all([startDynamoDbLocal({ sharedDb: false }), startLocalSink()]);
  await createTablesDirectly(stack, db.endpoint);
  deployment = await LocalDeployment.start({
    stack,
    endpoint: db.endpoint,
    sink,
    workDir: mkdtempSync(join(tmpdir(), 'local-work-')),
    pollIntervalMs: 50,
  });
});

afterAll(async () => {
  await deployment?.stop();
  await Promise.all([sink?.stop(), db?.stop()]);
});

const customer = (pk: string, name: string) => ({
  pk: { S: pk },
  name: { S: name },
  email: { S: `${pk}@example.com` },
  phone: { S: '+353 1 234 5678' },
  dateOfBirth: { S: '1980-02-29' },
});

test('GIVEN the synthesized multi-region example WHEN it runs locally THEN one mapping per writable region invokes its writer, configured by the synthesized JSON', () => {
  expect(
    deployment.mappings.map((m) => [
      m.table.region,
      m.function.definition.name,
      m.mapping.settings.batchSize,
      m.mapping.settings.reportBatchItemFailures,
    ]),
  ).toEqual([
    ['eu-west-1', 'multi-region-Customers-Writer-eu-west-1', 100, true],
    ['us-east-1', 'multi-region-Customers-Writer-us-east-1', 100, true],
  ]);
  // The writers' backlog drainers: each scheduled rule invokes its function, locally every second.
  expect(deployment.schedules.map((s) => [s.schedule.region, s.schedule.scheduleExpression, s.schedule.ruleName])).toEqual([
    ['eu-west-1', 'rate(1 minute)', 'multi-region-Customers-Writer-eu-west-1-Backlog-drain'],
    ['us-east-1', 'rate(1 minute)', 'multi-region-Customers-Writer-us-east-1-Backlog-drain'],
  ]);
  expect(deployment.functions[deployment.schedules[0].schedule.functionId].definition.environment.REPLICATION_BACKLOG_TABLE).toBe(
    'multi-region-Customers-Writer-eu-west-1-Backlog',
  );
  const env = deployment.mappings[0].function.definition.environment;
  expect(env.REPLICATION_FAILURE_QUEUE_URL).toBe(sink.queueUrl('multi-region-Customers-Writer-eu-west-1-Failures'));
  expect(replicationPlan(deployment)).toEqual([
    expect.objectContaining({
      table: 'customers',
      writable: ['eu-west-1', 'us-east-1'],
      readOnly: { 'ap-southeast-2': { omit: ['email'], mask: ['phone', 'dateOfBirth'] } },
    }),
  ]);
});

test('GIVEN writes with and without the helper in both writable regions, conflicting and deleting WHEN the streams drain THEN every region converges, the read replica masked', async () => {
  const eu = replicatedWrites({ region: 'eu-west-1' });
  await client('eu-west-1').send(new PutItemCommand(eu.put({ TableName: 'customers', Item: customer('a', 'Aoife') })));
  await client('us-east-1').send(new PutItemCommand({ TableName: 'customers', Item: customer('b', 'Bob') }));
  await deployment.drain();
  await Promise.all([
    client('eu-west-1').send(new PutItemCommand({ TableName: 'customers', Item: customer('a', 'Aoife (EU)') })),
    client('us-east-1').send(
      new PutItemCommand(replicatedWrites({ region: 'us-east-1' }).put({ TableName: 'customers', Item: customer('a', 'Aoife (US)') })),
    ),
    client('eu-west-1').send(new DeleteItemCommand({ TableName: 'customers', Key: { pk: { S: 'b' } } })),
  ]);
  await deployment.drain();
  const [plan] = replicationPlan(deployment);
  const clients = Object.fromEntries(['eu-west-1', 'us-east-1', 'ap-southeast-2'].map((r) => [r, client(r)]));
  expect(await compareRegions(plan, clients)).toEqual({ converged: true, items: 2, problems: [] });
  const sydney = new Map((await scanAll(client('ap-southeast-2'), 'customers')).map((i) => [i.pk.S, i]));
  expect(sydney.get('a')).toMatchObject({ phone: { S: '***' }, dateOfBirth: { S: '***' } });
  expect(sydney.get('a')!.email).toBeUndefined();
  expect(sydney.get('b')).toMatchObject({ _d: { BOOL: true } });
});

test('GIVEN a record the writer can never copy (over 400 KB with its metadata) WHEN it is delivered THEN the writer parks it through its synthesized queue URL, in the local sink', async () => {
  const before = sink.messages.length;
  await client('eu-west-1').send(
    new PutItemCommand({ TableName: 'customers', Item: { pk: { S: 'huge' }, blob: { S: 'x'.repeat(409_600 - 30) } } }),
  );
  await deployment.drain();
  const parked = sink.messages.slice(before);
  expect(parked.map((m) => [m.destination, m.via])).toContainEqual(['multi-region-Customers-Writer-eu-west-1-Failures', 'SendMessage']);
});

test('GIVEN a write in the read replica, which no writer reads WHEN the regions are compared THEN they have not converged, and the problem names the region and the key', async () => {
  await client('ap-southeast-2').send(new PutItemCommand({ TableName: 'customers', Item: customer('only-in-sydney', 'Stray') }));
  await deployment.drain();
  const [plan] = replicationPlan(deployment);
  const clients = Object.fromEntries(['eu-west-1', 'us-east-1', 'ap-southeast-2'].map((r) => [r, client(r)]));
  const result = await compareRegions(plan, clients);
  expect(result.converged).toBe(false);
  // (The parked record above is missing from the other regions too: parked means not copied.)
  expect(result.problems).toContainEqual(expect.stringMatching(/^ap-southeast-2 holds .*only-in-sydney.*, which eu-west-1 does not$/));
  expect(result.problems).toContainEqual(expect.stringMatching(/^us-east-1 lacks .*huge.* \(eu-west-1 has it\)$/));
});
