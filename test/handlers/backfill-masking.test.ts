/**
 * A backfill into a masked read replica takes the masking from the deployed writer's configuration.
 * The tables are DynamoDB Local; Lambda has no local counterpart, so GetFunctionConfiguration is
 * answered by a FAKE Lambda endpoint (HTTP on 127.0.0.1, the REST call the real @aws-sdk/client-lambda
 * makes) serving the environment of the writer function synthesized from the multi-region example.
 */
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Testing } from 'cdktf';
import { runBackfill } from '../../handlers/backfill';
import { main, USAGE } from '../../handlers/backfill/cli';
import { multiRegionStack } from '../../examples/multi-region';
import { dynamoClient, FAKE_CREDENTIALS } from '../support/dynamodb-local';
import { createTables, EU, twoRegionsForTests } from './support/backfill-tables';

const regions = twoRegionsForTests();
const SYDNEY = 'ap-southeast-2';

/** Name and environment of every Lambda function of the synthesized multi-region example. */
function synthesizedFunctions(): { name: string; variables: Record<string, string> }[] {
  const json = JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'multi-region')));
  return Object.values<any>(json.resource.aws_lambda_function).map((f) => ({
    name: f.function_name,
    variables: f.environment?.variables ?? {},
  }));
}

let server: Server;
let lambda: LambdaClient;
const requested: string[] = [];
beforeAll(async () => {
  const functions = synthesizedFunctions();
  server = createServer((req, res) => {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/configuration/.exec(req.url ?? '');
    const fn = m && functions.find((f) => f.name === decodeURIComponent(m[1]));
    requested.push(`${req.method} ${decodeURIComponent(req.url ?? '')}`);
    if (!fn) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${m?.[1]}` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ FunctionName: fn.name, Environment: { Variables: fn.variables } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lambda = new LambdaClient({
    region: EU,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

/** The writer of the example that writes into Sydney, and what its configuration says about it. */
function sydneyWriter() {
  const writer = synthesizedFunctions().find((f) =>
    (JSON.parse(f.variables.REPLICATION_TARGETS ?? '[]') as any[]).some((t) => t.region === SYDNEY),
  )!;
  const target = (JSON.parse(writer.variables.REPLICATION_TARGETS) as any[]).find((t) => t.region === SYDNEY);
  return { name: writer.name, target };
}

const customer = {
  pk: { S: 'c1' },
  dateOfBirth: { S: '1815-12-10' },
  email: { S: 'ada@example.com' },
  phone: { S: '+44 20 7946 0000' },
  name: { S: 'Ada' },
  _v: { S: '1700000000000#eu-west-1#abc' },
  _o: { S: EU },
};

test('GIVEN the example writer into the masked Sydney replica WHEN backfilled with it and no --omit/--mask THEN items arrive as that writer writes them', async () => {
  const { name, target } = sydneyWriter();
  // The example's Sydney replica omits e-mail addresses and masks phone numbers and birth dates.
  expect([target.omit, target.mask]).toEqual([['email'], ['phone', 'dateOfBirth']]);
  await createTables(regions.source, regions.target, target.table);
  await regions.source.send(new PutItemCommand({ TableName: target.table, Item: customer }));
  const summary = await runBackfill({
    ...regions.options(target.table),
    target: { region: SYDNEY, table: target.table, client: regions.target, writerFunction: { name, client: lambda } },
  });
  expect(summary.totals).toMatchObject({ copied: 1 });
  expect((await regions.target.send(new GetItemCommand({ TableName: target.table, Key: { pk: customer.pk } }))).Item).toEqual({
    pk: customer.pk,
    dateOfBirth: { S: '***' },
    phone: { S: '***' },
    name: customer.name,
    _v: customer._v,
    _o: customer._o,
  });
  expect(requested).toContain(`GET /2015-03-31/functions/${name}/configuration`);
});

test('GIVEN lists by hand that differ from the deployed masking WHEN backfilled THEN it refuses before writing, naming both', async () => {
  const { name, target } = sydneyWriter();
  await expect(
    runBackfill({
      ...regions.options(target.table),
      target: { region: SYDNEY, table: target.table, client: regions.target, mask: [], writerFunction: { name, client: lambda } },
    }),
  ).rejects.toThrow(
    `mask [] differs from the deployed writer ${name}'s mask [phone, dateOfBirth]: the backfill would write items its writers never would`,
  );
});

test('GIVEN a writer that does not write into the target table, or no such function WHEN backfilled THEN it refuses naming it', async () => {
  const { name, target } = sydneyWriter();
  await createTables(regions.source, regions.target, 'customers-copy');
  const run = (fn: string, table: string) =>
    runBackfill({
      ...regions.options(target.table),
      target: { region: SYDNEY, table, client: regions.target, writerFunction: { name: fn, client: lambda } },
    });
  await expect(run(name, 'customers-copy')).rejects.toThrow(
    `writer function ${name} does not write into ap-southeast-2/customers-copy (it writes into `,
  );
  await expect(run('no-such-writer', target.table)).rejects.toThrow(
    /cannot read the configuration of writer function no-such-writer: ResourceNotFoundException/,
  );
});

describe('the CLI flag --writer-function', () => {
  // The library run above covers what the writer's configuration does; this checks the CLI hands
  // the function on with a Lambda client of the right region. The tables are unreachable on
  // purpose (a closed port), so the run stops at DescribeTable after the options are built.
  const closed = () => dynamoClient('http://127.0.0.1:1', EU, { maxAttempts: 1 });
  test.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:customers-writer', 'us-east-1'],
    ['customers-writer', EU],
  ])('GIVEN --writer-function %s WHEN parsed THEN a Lambda client of %s reads it', async (fn, region) => {
    const regionsAsked: string[] = [];
    const err: string[] = [];
    const code = await main(['--source-region', EU, '--target-region', SYDNEY, '--table', 'customers', '--writer-function', fn], {
      client: closed,
      lambda: (r) => {
        regionsAsked.push(r);
        return lambda;
      },
      stderr: (t) => err.push(t),
      stdout: () => {},
    });
    expect(code).toBe(1);
    expect(regionsAsked).toEqual([region]);
    expect(USAGE).toContain('--writer-function <name|arn>');
  });
});
