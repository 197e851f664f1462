/**
 * Test tier 5: the example stacks' tables, applied by the real `terraform` with the real
 * hashicorp/aws 5.100.0 provider (offline) into real DynamoDB Local, one regional database per
 * region. The local profile points the providers at DynamoDB Local (one endpoint for every region,
 * given to terraform as AWS_ENDPOINT_URL_DYNAMODB) and switches PITR off, nothing else;
 * each table is then described in its region and compared with the synthesized configuration
 * (keys, attribute types, GSIs, LSIs, TTL, stream, billing, deletion protection), and finally
 * destroyed the way a user must: deletion protection and prevent_destroy lifted, then destroy.
 * No fakes. DynamoDB Local implements neither tagging nor SSE descriptions nor PITR: tags and
 * encryption are applied as synthesized but cannot be read back, so they are not compared.
 * orders-module is the orders pipeline as a module: its tables are those of `orders`.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { App } from 'cdktf';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildExampleApp, EXAMPLE_STACKS } from '../../examples/app';
import { dynamoClient, DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { applyProfile } from '../../local/synthesized/apply-tables';
import { localProfile, TABLE } from '../../local/synthesized/local-profile';
import { readStack, regionOf, resourcesOf, SynthesizedStack } from '../../local/synthesized/stack';
import { requireTerraform } from '../../local/terraform';

const APPLIED = EXAMPLE_STACKS.filter((s) => s !== 'orders-module');

let db: DynamoDbLocal;
let outdir: string;
const clients = new Map<string, DynamoDBClient>();
const client = (region: string) => clients.get(region) ?? clients.set(region, dynamoClient(db.endpoint, region)).get(region)!;

beforeAll(async () => {
  requireTerraform();
  outdir = mkdtempSync(join(tmpdir(), 'tier5-'));
  buildExampleApp(new App({ outdir })).synth();
  db = await startDynamoDbLocal({ sharedDb: false });
});

afterAll(async () => {
  for (const c of clients.values()) c.destroy();
  await db?.stop();
});

const byName = <T extends { name?: string; IndexName?: string }>(xs: T[] | undefined) =>
  [...(xs ?? [])].sort((a, b) => String(a.name ?? a.IndexName).localeCompare(String(b.name ?? b.IndexName)));

/** What DescribeTable must say for a synthesized aws_dynamodb_table (the provider's argument names mapped to DynamoDB's API by hand). */
function expectedDescription(t: any) {
  const keys = (hash: string, range?: string) => [
    { AttributeName: hash, KeyType: 'HASH' },
    ...(range ? [{ AttributeName: range, KeyType: 'RANGE' }] : []),
  ];
  const index = (i: any) => ({
    IndexName: i.name,
    KeySchema: keys(i.hash_key, i.range_key),
    Projection: { ProjectionType: i.projection_type, ...(i.non_key_attributes?.length ? { NonKeyAttributes: i.non_key_attributes } : {}) },
  });
  return {
    TableName: t.name,
    KeySchema: keys(t.hash_key, t.range_key),
    AttributeDefinitions: [...t.attribute]
      .map((a: any) => ({ AttributeName: a.name, AttributeType: a.type }))
      .sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
    BillingMode: t.billing_mode ?? 'PROVISIONED',
    GlobalSecondaryIndexes: byName(t.global_secondary_index).map(index),
    LocalSecondaryIndexes: byName(t.local_secondary_index).map(index),
    StreamSpecification: t.stream_enabled ? { StreamEnabled: true, StreamViewType: t.stream_view_type } : undefined,
    DeletionProtectionEnabled: t.deletion_protection_enabled === true,
    TimeToLive: t.ttl?.enabled ? { AttributeName: t.ttl.attribute_name, TimeToLiveStatus: 'ENABLED' } : { TimeToLiveStatus: 'DISABLED' },
  };
}

async function describe_(region: string, name: string) {
  const { Table: d } = await client(region).send(new DescribeTableCommand({ TableName: name }));
  const ttl = (await client(region).send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
  const index = (i: any) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection });
  return {
    TableName: d!.TableName,
    KeySchema: d!.KeySchema,
    AttributeDefinitions: [...(d!.AttributeDefinitions ?? [])].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)),
    BillingMode: d!.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    GlobalSecondaryIndexes: byName(d!.GlobalSecondaryIndexes).map(index),
    LocalSecondaryIndexes: byName(d!.LocalSecondaryIndexes).map(index),
    StreamSpecification: d!.StreamSpecification?.StreamEnabled ? d!.StreamSpecification : undefined,
    DeletionProtectionEnabled: d!.DeletionProtectionEnabled === true,
    TimeToLive:
      ttl?.TimeToLiveStatus === 'ENABLED'
        ? { AttributeName: ttl.AttributeName, TimeToLiveStatus: 'ENABLED' }
        : { TimeToLiveStatus: ttl?.TimeToLiveStatus },
  };
}

describe('tier 5: terraform apply of the example stacks into DynamoDB Local', () => {
  test.each(APPLIED)(
    'GIVEN the %s stack WHEN its local profile is applied THEN every table of every region is there as synthesized, AND destroy removes them all',
    async (name) => {
      const stack: SynthesizedStack = readStack(join(outdir, 'stacks', name));
      const tables = resourcesOf(stack, TABLE);
      expect(tables.length).toBeGreaterThan(0);
      const regions = [...new Set(tables.map(([, t]) => regionOf(stack, t)))];
      const profile = localProfile(stack, Object.fromEntries(regions.map((r) => [r, db.endpoint])));

      // One DynamoDB Local serves every region: terraform gets it from the environment, and no
      // provider carries an endpoints block (which would triple every provider process's CPU).
      expect(profile.environment).toEqual({ AWS_ENDPOINT_URL_DYNAMODB: db.endpoint });
      for (const p of profile.json.provider.aws) expect(p.endpoints).toBeUndefined();
      // The profile is the synthesized tables with PITR off, nothing else.
      for (const [id, t] of tables) {
        expect(profile.json.resource[TABLE][id]).toEqual({
          ...t,
          ...(t.point_in_time_recovery ? { point_in_time_recovery: { ...t.point_in_time_recovery, enabled: false } } : {}),
        });
      }

      const applied = applyProfile(profile);
      for (const [, t] of tables) {
        expect(await describe_(regionOf(stack, t), t.name)).toEqual(expectedDescription(t));
      }
      // Outputs that only name tables survive, with the values DynamoDB Local gave.
      for (const value of Object.values(applied.outputs)) expect(String(value)).toMatch(/^arn:aws:dynamodb:ddblocal:000000000000:table\//);

      await applied.destroy();
      for (const region of regions) expect((await client(region).send(new ListTablesCommand({}))).TableNames).toEqual([]);
    },
    600_000,
  );
});
