/**
 * A target in another account: the writer assumes the target's role and signs its writes with the
 * assumed credentials, fetched once and reused. STS has no local counterpart: a FAKE STS
 * (test/support/fake-sts.ts) stands in, reached through AWS_ENDPOINT_URL_STS. The writes themselves go to DynamoDB Local through a
 * loopback relay that lets the test read the Authorization header they were signed with.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { replicatedWrites } from '../../handlers/client';
import { lambdaClientFactory } from '../../handlers/common/clients';
import { createReplicateHandler } from '../../handlers/replicate';
import { FAKE_CREDENTIALS } from '../support/dynamodb-local';
import { FakeSts, startFakeSts } from '../support/fake-sts';
import { streamEvent } from '../support/streams';
import { startTcpGate, TcpGate } from '../support/tcp-gate';
import { deploy, snapshot, startWorld, uniqueTable, World, writerConfig } from './support/world';

const [EU, US] = ['eu-west-1', 'us-east-1'];
const ROLE = 'arn:aws:iam::222222222222:role/replica-writer-access';
let world: World;
let gate: TcpGate;
let sts: FakeSts;
const saved = { ...process.env };

beforeAll(async () => {
  world = await startWorld([EU, US]);
  gate = await startTcpGate(world.local[US].port);
  sts = await startFakeSts();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  });
});
afterAll(async () => {
  process.env = saved;
  await sts?.stop();
  await gate?.stop();
  await world?.stop();
});

test('GIVEN a target with a role ARN WHEN the writer replicates to it THEN it assumes the role once and signs every write with the assumed credentials', async () => {
  const table = uniqueTable('xacct');
  const dep = await deploy(world, table);
  const config = writerConfig(world, EU, table, { targets: [{ region: US, table, endpoint: gate.endpoint, roleArn: ROLE }] });
  const writer = createReplicateHandler({ config, clients: lambdaClientFactory(2) });
  const app = replicatedWrites({ region: EU });
  await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'one' } } })));
  expect((await writer(streamEvent(await dep.readers[EU].readNew()))).batchItemFailures).toEqual([]);
  await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: table, Item: { pk: { S: 'two' } } })));
  expect((await writer(streamEvent(await dep.readers[EU].readNew()))).batchItemFailures).toEqual([]);

  expect(sts.calls).toHaveLength(1);
  const form = sts.calls[0];
  expect(form.get('Action')).toBe('AssumeRole');
  expect(form.get('RoleArn')).toBe(ROLE);
  expect(form.get('RoleSessionName')).toBe('dynamodb-replica-writer');
  const signed = gate.received();
  expect(signed.match(/Credential=ASIAASSUMEDFAKE\//g)).toHaveLength(2);
  expect(signed).not.toContain(`Credential=${FAKE_CREDENTIALS.accessKeyId}/`);
  expect(signed.toLowerCase()).toContain('x-amz-security-token: assumed-token');
  const snap = await snapshot(world, table);
  expect([...snap[US].keys()].sort()).toEqual(['one', 'two']);
});
