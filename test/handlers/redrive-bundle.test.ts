/**
 * The redrive handler bundled with the package-build options (scripts/bundle-handlers.ts
 * bundleEntry), run in a fresh Node process configured by environment only, as Lambda runs it:
 * it reads a real failed range from DynamoDB Local's stream, invokes the consumer through the real
 * Lambda client and parks through the real SQS client.
 * Stand-ins, said plainly: the Lambda endpoint is a FAKE Lambda (the Lambda service has no local
 * counterpart) that runs a consumer in this test process; the parked queue is a FAKE SQS.
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { bundleEntry } from '../../scripts/bundle-handlers';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal, streamsClient } from '../support/dynamodb-local';
import { FakeSqs, startFakeSqs } from '../support/fake-sqs';
import { createStreamTable, StreamReader } from '../support/streams';
import { runBundle } from './support/run-bundle';

let local: DynamoDbLocal;
let parked: FakeSqs;
let lambda: Server;
let lambdaEndpoint: string;
const invocations: string[][] = [];

beforeAll(async () => {
  [local, parked] = await Promise.all([startDynamoDbLocal(), startFakeSqs('bundle-parked')]);
  // FAKE Lambda: a consumer that fails every record whose key starts with "poison".
  lambda = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const event = JSON.parse(body) as DynamoDBStreamEvent;
      invocations.push(event.Records.map((r) => r.dynamodb!.Keys!.pk.S!));
      const batchItemFailures = event.Records.filter((r) => r.dynamodb!.Keys!.pk.S!.startsWith('poison')).map((r) => ({
        itemIdentifier: r.dynamodb!.SequenceNumber,
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ batchItemFailures }));
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  lambdaEndpoint = `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => lambda?.close(resolve));
  await parked?.stop();
  await local?.stop();
});

test('GIVEN the bundled redrive in a fresh process WHEN it handles an on-failure record THEN it redrives the range through Lambda Invoke, parks the poison record, and logs and emits metrics', async () => {
  const { code, inputs } = await bundleEntry('handlers/redrive/index.ts');
  expect(inputs.some((i) => i.includes('credential-provider-env'))).toBe(true);
  expect(inputs.filter((i) => /credential-provider-(node|ini|sso|process|imds)/.test(i))).toEqual([]);
  const dir = mkdtempSync(join(tmpdir(), 'redrive-bundle-'));
  writeFileSync(join(dir, 'index.js'), code);
  console.log(`redrive bundle: ${code.length} bytes`);

  const ddb = dynamoClient(local.endpoint);
  const streams = streamsClient(local.endpoint);
  const streamArn = await createStreamTable(ddb, 'bundle-orders');
  for (const pk of ['ok-a', 'poison-b', 'ok-c'])
    await ddb.send(new PutItemCommand({ TableName: 'bundle-orders', Item: { pk: { S: pk } } }));
  const records = await new StreamReader(streams, streamArn, 'ddblocal').readNew();
  const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards![0].ShardId!;
  const functionArn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer';
  const message = {
    requestContext: { requestId: 'r', functionArn, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: records[0].dynamodb!.SequenceNumber,
      endSequenceNumber: records[2].dynamodb!.SequenceNumber,
      batchSize: 3,
      streamArn,
    },
  };
  const run = await runBundle(
    join(dir, 'index.js'),
    { Records: [{ messageId: 'sqs-1', body: JSON.stringify(message) }] },
    {
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: local.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      REDRIVE_PARKED_QUEUE_URL: parked.queueUrl,
      POWERTOOLS_SERVICE_NAME: 'redrive-test',
    },
  );
  expect(run.stderr).not.toMatch(/Error:/);
  expect(run.status).toBe(0);
  expect(run.result).toEqual({ batchItemFailures: [] });
  expect(invocations).toEqual([['ok-a', 'poison-b', 'ok-c'], ['poison-b'], ['poison-b']]);
  const bodies = parked.messages.map((m) => JSON.parse(m.body));
  expect(bodies.map((b) => [b.kind, b.record.dynamodb.Keys.pk.S, b.reason])).toEqual([
    ['record', 'poison-b', 'reported in batchItemFailures (attempt 3 of 3)'],
  ]);
  const json = run.json;
  expect(json.find((l) => l.message === 'failed range redriven')).toMatchObject({
    level: 'INFO',
    service: 'redrive-test',
    functionArn,
    records: 3,
    succeeded: 2,
    parked: 1,
    invocations: 3,
  });
  expect(json.find((l) => l._aws?.CloudWatchMetrics)).toMatchObject({
    RangesRedriven: 1,
    RecordsFiltered: 0,
    RecordsRetried: 5,
    RecordsSucceeded: 2,
    RecordsParked: 1,
    MessagesFailed: 0,
  });
  // The pipeline's redrive-failures alarm watches MessagesFailed by this namespace and dimension.
  const emf = json.find((l) => l._aws?.CloudWatchMetrics)._aws.CloudWatchMetrics[0];
  expect([emf.Namespace, emf.Dimensions]).toEqual(['DynamoDBStreamRedrive', [['service']]]);
});
