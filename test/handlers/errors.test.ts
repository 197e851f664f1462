/**
 * Failure classification on the errors the real SDK client produces: service errors come from a
 * FAKE endpoint answering DynamoDB's error wire format (test/support/fault-proxy.ts: there is no
 * local IAM, KMS or 5xx), network errors from real sockets (a closed port, a server that never
 * answers).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createServer, Server } from 'net';
import { boundedRequests } from '../../handlers/common/clients';
import { blockedReason, classifyFailure, isItemRejection } from '../../handlers/common/sdk-errors';
import { dynamoClient } from '../support/dynamodb-local';
import { FaultProxy, startFaultProxy } from '../support/fault-proxy';

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy();
});
afterAll(() => proxy?.stop());

async function failureOf(endpoint: string, extra: Parameters<typeof dynamoClient>[2] = {}): Promise<unknown> {
  const client = dynamoClient(endpoint, 'eu-west-1', { maxAttempts: 1, ...extra });
  try {
    await client.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }));
  } catch (e) {
    return e;
  } finally {
    client.destroy();
  }
  throw new Error('the request succeeded');
}

test.each([
  [400, 'ConditionalCheckFailedException', 'stale', undefined],
  [400, 'ProvisionedThroughputExceededException', 'transient', undefined],
  [400, 'ThrottlingException', 'transient', undefined],
  [400, 'RequestLimitExceeded', 'transient', undefined],
  [400, 'LimitExceededException', 'transient', undefined],
  [400, 'TransactionConflictException', 'transient', undefined],
  [500, 'InternalServerError', 'transient', undefined],
  [503, 'ServiceUnavailable', 'transient', undefined],
  [502, 'SomethingNobodyDocumented', 'transient', undefined],
  [400, 'AccessDeniedException', 'blocked', 'access-denied'],
  [403, 'UnrecognizedClientException', 'blocked', 'access-denied'],
  [400, 'ResourceNotFoundException', 'blocked', 'not-found'],
  [400, 'KMSAccessDeniedException', 'blocked', 'kms'],
  [400, 'KMSDisabledException', 'blocked', 'kms'],
  [400, 'ValidationException', 'blocked', 'validation'],
  [400, 'SomethingNobodyDocumented', 'blocked', 'unknown'],
])('GIVEN DynamoDB answering HTTP %i %s WHEN classified THEN it is %s (%s)', async (status, type, kind, reason) => {
  proxy.mode = { kind: 'error', status, type };
  const e = await failureOf(proxy.endpoint);
  expect((e as Error).name).toBe(type);
  expect(classifyFailure(e)).toBe(kind);
  if (reason) expect(blockedReason(e)).toBe(reason);
  expect(isItemRejection(e)).toBe(reason === 'validation');
});

test('GIVEN nothing listening on the port WHEN a request is sent THEN the connection refusal is transient', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const e = await failureOf(`http://127.0.0.1:${port}`);
  // Under jest the SDK wraps the socket error (another realm's Error): only the message keeps the code.
  expect(String(e)).toMatch(/ECONNREFUSED/);
  expect(classifyFailure(e)).toBe('transient');
});

test('GIVEN a server that accepts and never answers WHEN the client has a request timeout THEN the request ends in a transient TimeoutError', async () => {
  const sockets: import('net').Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const port = (silent.address() as { port: number }).port;
    const e = await failureOf(`http://127.0.0.1:${port}`, boundedRequests({ maxAttempts: 1, requestTimeoutMs: 300 }));
    expect((e as Error).name).toBe('TimeoutError');
    expect(classifyFailure(e)).toBe('transient');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('GIVEN an aborted request (the invocation deadline) WHEN classified THEN it is transient', async () => {
  proxy.mode = { kind: 'hang' };
  const client = dynamoClient(proxy.endpoint, 'eu-west-1', { maxAttempts: 1 });
  const e = await client
    .send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'a' } } }), { abortSignal: AbortSignal.timeout(200) })
    .catch((x) => x);
  client.destroy();
  expect((e as Error).name).toBe('AbortError');
  expect(classifyFailure(e)).toBe('transient');
});
