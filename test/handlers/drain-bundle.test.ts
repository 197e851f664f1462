/**
 * The backlog drainer bundle as Lambda runs it on its schedule: built by scripts/bundle-handlers.ts
 * (the `drain-backlog` entry modules/replication/backlog.ts deploys), loaded in a clean Node
 * process configured only by environment variables, draining a backlog in DynamoDB Local.
 */
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dynamoBacklog, targetId } from '../../handlers/replicate/backlog';
import { bundleEntry, HANDLER_ENTRIES } from '../../scripts/bundle-handlers';
import { runBundle } from './support/run-bundle';
import { backlogTableName } from './support/state-table';
import { deploy, startWorld, uniqueTable, World } from './support/world';

let world: World;
let bundlePath: string;

beforeAll(async () => {
  const [started, bundle] = await Promise.all([startWorld(['eu-west-1', 'us-east-1']), bundleEntry(HANDLER_ENTRIES['drain-backlog'])]);
  world = started;
  bundlePath = join(mkdtempSync(join(tmpdir(), 'drain-bundle-')), 'index.js');
  writeFileSync(bundlePath, bundle.code);
});
afterAll(async () => {
  await world?.stop();
});

test('GIVEN a kept copy WHEN the drainer bundle runs in a fresh Node process configured by environment only THEN the target has the copy, the backlog is empty, and per-target metrics are published', async () => {
  const table = uniqueTable('drain-bundle');
  await deploy(world, table);
  const backlog = backlogTableName(table);
  const target = { region: 'us-east-1', table };
  const item = { pk: { S: 'kept' }, _v: { S: '1700000000000#eu-west-1#abc' }, _o: { S: 'eu-west-1' } };
  // The source still holds what was kept (the drainer checks that before applying it).
  await world.ddb['eu-west-1'].send(new PutItemCommand({ TableName: table, Item: item }));
  await dynamoBacklog(world.ddb['eu-west-1'], backlog).keep(
    targetId(target),
    '{"pk":"kept"}',
    { pk: item.pk },
    item._v.S,
    item,
    'transient',
    'down',
    Date.now(),
  );

  const run = await runBundle(
    bundlePath,
    {},
    {
      REPLICATION_SOURCE_REGION: 'eu-west-1',
      REPLICATION_SOURCE_ENDPOINT: world.local['eu-west-1'].endpoint,
      REPLICATION_SOURCE_TABLE: table,
      REPLICATION_TARGETS: JSON.stringify([{ ...target, endpoint: world.local['us-east-1'].endpoint }]),
      REPLICATION_BACKLOG_TABLE: backlog,
      POWERTOOLS_SERVICE_NAME: 'customers-replication',
      POWERTOOLS_METRICS_NAMESPACE: 'DynamoDBReplication',
    },
  );
  expect(run.stderr).not.toMatch(/Error:/);
  expect(run.status).toBe(0);
  const copy = await world.ddb['us-east-1'].send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: 'kept' } }, ConsistentRead: true }),
  );
  expect(copy.Item).toEqual(item);
  const left = await world.ddb['eu-west-1'].send(
    new QueryCommand({
      TableName: backlog,
      KeyConditionExpression: 't = :t',
      ExpressionAttributeValues: { ':t': { S: targetId(target) } },
      ConsistentRead: true,
    }),
  );
  expect(left.Items).toEqual([]);
  // The metric and dimensions the synthesized backlog alarm watches (test/modules/replication-backlog.test.ts).
  const emf = run.json.find((l) => l._aws && l.BacklogApplied !== undefined);
  expect(emf).toMatchObject({ service: 'customers-replication', SourceRegion: 'eu-west-1', TargetRegion: 'us-east-1', BacklogApplied: 1 });
  expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('DynamoDBReplication');
});
