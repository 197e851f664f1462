/**
 * The redrive's default invoker with the real @aws-sdk/client-lambda. The Lambda service has no
 * local counterpart, so the endpoint is a FAKE Lambda: an HTTP server on 127.0.0.1 that answers
 * the Invoke REST call (POST /2015-03-31/functions/<name>/invocations) by running a handler
 * in-process, with Lambda's X-Amz-Function-Error header when the handler throws.
 */
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { chunks, failedRecords, lambdaInvoker, MAX_INVOKE_PAYLOAD_BYTES, retryRecords } from '../../handlers/redrive/invoke';
import { FAKE_CREDENTIALS } from '../support/dynamodb-local';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer:live';

interface FakeLambda {
  readonly client: LambdaClient;
  readonly requests: { path: string; headers: IncomingHttpHeaders; body: any }[];
  stop(): Promise<void>;
}

async function startFakeLambda(handler: (event: DynamoDBStreamEvent) => Promise<unknown>): Promise<FakeLambda> {
  const requests: FakeLambda['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const event = JSON.parse(body);
      requests.push({ path: decodeURIComponent(req.url ?? ''), headers: req.headers, body: event });
      try {
        const out = await handler(event);
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '1' });
        res.end(out === undefined ? 'null' : JSON.stringify(out));
      } catch (e) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '1' });
        res.end(JSON.stringify({ errorType: (e as Error).name, errorMessage: (e as Error).message, trace: [] }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    client: new LambdaClient({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-1', credentials: FAKE_CREDENTIALS, maxAttempts: 1 }),
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const record = (seq: string, extra: Partial<DynamoDBRecord['dynamodb']> = {}): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
  dynamodb: { SequenceNumber: seq, Keys: { pk: { S: `k${seq}` } }, ...extra },
});

describe('redrive invoker (real Lambda client, fake Lambda endpoint)', () => {
  let lambda: FakeLambda | undefined;
  afterEach(async () => {
    await lambda?.stop();
    lambda = undefined;
  });

  test('GIVEN a consumer that reports one record WHEN invoked THEN the call is a RequestResponse Invoke of the qualified ARN with the stream event, and the report comes back', async () => {
    lambda = await startFakeLambda(async (event) => ({
      batchItemFailures: [{ itemIdentifier: event.Records[1].dynamodb!.SequenceNumber }],
    }));
    const invoke = lambdaInvoker({ client: lambda.client });
    const records = [record('100'), record('101')];

    const result = await invoke(ARN, { Records: records });

    expect(result).toEqual({ functionError: undefined, response: { batchItemFailures: [{ itemIdentifier: '101' }] } });
    expect(lambda.requests).toHaveLength(1);
    expect(lambda.requests[0].path).toBe(`/2015-03-31/functions/${ARN}/invocations`);
    expect(lambda.requests[0].headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(lambda.requests[0].body).toEqual({ Records: records });
    expect(failedRecords(records, result)).toEqual({ failed: [records[1]], reason: 'reported in batchItemFailures' });
  });

  test('GIVEN a consumer that throws WHEN invoked THEN the FunctionError fails every record of the batch', async () => {
    lambda = await startFakeLambda(async () => {
      throw new TypeError('cannot read image');
    });
    const records = [record('7'), record('8')];

    const result = await lambdaInvoker({ client: lambda.client })(ARN, { Records: records });

    expect(result.functionError).toBe('Unhandled');
    expect(failedRecords(records, result)).toEqual({
      failed: records,
      reason: 'FunctionError Unhandled: {"errorType":"TypeError","errorMessage":"cannot read image","trace":[]}',
    });
  });

  test('GIVEN a consumer that returns nothing, an empty list, or an unknown identifier WHEN its answer is read THEN the first two are full success and the last fails the whole batch, as the mapping would', () => {
    const records = [record('1'), record('2')];
    expect(failedRecords(records, { response: null }).failed).toEqual([]);
    expect(failedRecords(records, { response: { batchItemFailures: [] } }).failed).toEqual([]);
    expect(failedRecords(records, { response: { batchItemFailures: [{ itemIdentifier: '' }] } })).toEqual({
      failed: records,
      reason: 'batchItemFailures named "", which is not in the batch: the whole batch failed',
    });
  });

  test('GIVEN records larger together than a synchronous invoke allows WHEN chunked THEN each chunk stays under the payload budget, the count limit holds, and order is kept', () => {
    const big = 'x'.repeat(300 * 1024);
    const records = Array.from({ length: 40 }, (_, i) => record(String(1000 + i), { NewImage: { body: { S: big } } }));
    const out = chunks(records, 25);
    expect(out.flat()).toEqual(records);
    for (const c of out) expect(Buffer.byteLength(JSON.stringify({ Records: c }))).toBeLessThanOrEqual(MAX_INVOKE_PAYLOAD_BYTES + 1024);
    expect(out.length).toBe(3);
    expect(
      chunks(
        records.slice(0, 5).map((r) => ({ ...r, dynamodb: { SequenceNumber: r.dynamodb!.SequenceNumber } })),
        2,
      ).map((c) => c.length),
    ).toEqual([2, 2, 1]);
  });

  test('GIVEN an invoke that errors (throttled, unreachable) WHEN records are retried THEN the error is retried like a failure and, when it persists, given as the reason', async () => {
    lambda = await startFakeLambda(async () => ({}));
    await lambda.stop();
    const stopped = lambda;
    lambda = undefined;
    const records = [record('5')];

    const outcome = await retryRecords(lambdaInvoker({ client: stopped.client }), ARN, records, 2, 10);

    expect(outcome.invocations).toBe(2);
    expect(outcome.succeeded).toEqual([]);
    expect(outcome.failed).toHaveLength(1);
    expect(outcome.failed[0].reason).toMatch(/^Invoke failed: \w+: .+ \(attempt 2 of 2\)$/);
  });
});
