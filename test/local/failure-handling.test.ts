/**
 * How the local event source mapping handles failures, against the Lambda guide's rules for
 * DynamoDB stream mappings: ReportBatchItemFailures checkpoints, bisection on function errors,
 * bounded retries, maximum record age, timeouts, and the on-failure record (compared with the
 * example in the guide's "Retaining discarded records for a DynamoDB event source"). Real
 * DynamoDB Local (its record ageing hook stands in for waiting an hour), real handler processes.
 */
import { DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';
import { parseOnFailureRecord } from '../../handlers/redrive/on-failure-record';
import { Pipeline, pipeline } from './support/harness';

let db: DynamoDbLocal;
const running: Pipeline[] = [];
const start = async (...args: Parameters<typeof pipeline> extends [any, ...infer R] ? R : never) => {
  const p = await pipeline(db, ...args);
  running.push(p);
  return p;
};

beforeAll(async () => {
  db = await startDynamoDbLocal();
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await db?.stop();
});

const seq = (p: Pipeline, key: string) =>
  p.invocations.flatMap((i) => i.records).find((r) => r.dynamodb!.Keys!.pk.S === key)!.dynamodb!.SequenceNumber!;

describe('ReportBatchItemFailures', () => {
  test('GIVEN a handler that reports one record failed once WHEN the batch is delivered THEN the mapping resumes at that record: the records before it are not delivered again', async () => {
    const handler = `const failed = new Set();
      exports.handler = async (event) => {
        const r = event.Records.find((r) => r.dynamodb.NewImage.fail && !failed.has(r.dynamodb.SequenceNumber));
        if (!r) return { batchItemFailures: [] };
        failed.add(r.dynamodb.SequenceNumber);
        return { batchItemFailures: [{ itemIdentifier: r.dynamodb.SequenceNumber }] };
      };`;
    const p = await start(handler, { batch_size: 10, function_response_types: ['ReportBatchItemFailures'] }, { startLater: true });
    await p.put('a');
    await p.put('b', { fail: 'once' });
    await p.put('c');
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(p.discards).toEqual([]);
  });

  test('GIVEN a handler that returns an empty itemIdentifier once WHEN the batch is delivered THEN the whole batch counts as failed and is delivered again', async () => {
    const handler = `let first = true; exports.handler = async () => { if (!first) return {}; first = false; return { batchItemFailures: [{ itemIdentifier: '' }] }; };`;
    const p = await start(handler, { batch_size: 10, function_response_types: ['ReportBatchItemFailures'] }, { startLater: true });
    await p.put('x');
    await p.put('y');
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
  });

  test('GIVEN the mapping does not list ReportBatchItemFailures WHEN the handler reports failures THEN they are ignored: the batch succeeded', async () => {
    const handler = `exports.handler = async (event) => ({ batchItemFailures: [{ itemIdentifier: event.Records[0].dynamodb.SequenceNumber }] });`;
    const p = await start(handler, { batch_size: 10 }, { startLater: true });
    await p.put('i');
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([['i']]);
  });
});

describe('bisection, retries and the on-failure record', () => {
  test('GIVEN a poison record, bisect on and 1 retry WHEN the batch fails THEN halves isolate the poison, the rest is delivered, AND the poison alone goes to the on-failure destination in the format AWS documents', async () => {
    const handler = `exports.handler = async (event) => { if (event.Records.some((r) => r.dynamodb.NewImage.poison)) throw new TypeError('cannot digest'); return {}; };`;
    const p = await start(
      handler,
      { batch_size: 4, bisect_batch_on_function_error: true, maximum_retry_attempts: 1 },
      { startLater: true },
    );
    for (const k of ['p0', 'p1']) await p.put(k);
    await p.put('X', { poison: 'yes' });
    await p.put('p3');
    await p.mapping.start();
    await p.mapping.drain();
    expect(p.invocations.map((i) => [i.keys.join(','), i.result.ok ? 'ok' : (i.result as any).errorType])).toEqual([
      ['p0,p1,X,p3', 'TypeError'],
      ['p0,p1', 'ok'],
      ['X,p3', 'TypeError'],
      ['X', 'TypeError'],
      ['X', 'TypeError'],
      ['p3', 'ok'],
    ]);
    expect(p.onFailure).toHaveLength(1);
    const record = p.onFailure[0];
    // The guide's example, field by field and in its order.
    expect(Object.keys(record)).toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'DDBStreamBatchInfo']);
    expect(record.requestContext).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      functionArn: p.fn.definition.arn,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 4,
    });
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect(record.version).toBe('1.0');
    expect(record.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(record.DDBStreamBatchInfo)).toEqual([
      'shardId',
      'startSequenceNumber',
      'endSequenceNumber',
      'approximateArrivalOfFirstRecord',
      'approximateArrivalOfLastRecord',
      'batchSize',
      'streamArn',
    ]);
    expect(record.DDBStreamBatchInfo).toEqual({
      shardId: expect.stringMatching(/^shardId-/),
      startSequenceNumber: seq(p, 'X'),
      endSequenceNumber: seq(p, 'X'),
      approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      batchSize: 1,
      streamArn: p.streamArn,
    });
    // The redrive reads it as the coordinates of the poison record.
    expect(parseOnFailureRecord(JSON.stringify(record)).range).toMatchObject({
      startSequenceNumber: seq(p, 'X'),
      endSequenceNumber: seq(p, 'X'),
      streamArn: p.streamArn,
    });
  });

  test('GIVEN a handler that throws and 2 retries without bisection WHEN it keeps failing THEN it is invoked 3 times with the same batch and the batch is discarded', async () => {
    const p = await start(
      `exports.handler = async () => { throw new RangeError('always'); };`,
      { batch_size: 10, maximum_retry_attempts: 2 },
      { startLater: true },
    );
    await p.put('r1');
    await p.put('r2');
    await p.mapping.start();
    await p.mapping.drain();
    expect(p.invocations.map((i) => i.keys)).toEqual([
      ['r1', 'r2'],
      ['r1', 'r2'],
      ['r1', 'r2'],
    ]);
    expect(p.invocations[0].result).toEqual({ ok: false, errorType: 'RangeError', errorMessage: 'always' });
    expect(
      p.onFailure.map((r) => [r.requestContext.condition, r.requestContext.approximateInvokeCount, r.DDBStreamBatchInfo.batchSize]),
    ).toEqual([['RetryAttemptsExhausted', 3, 2]]);
  });

  test('GIVEN a handler that runs past its timeout WHEN invoked THEN the invocation fails as timed out, its environment is discarded, AND the batch goes to the on-failure destination', async () => {
    const p = await start(
      `exports.handler = () => new Promise((r) => setTimeout(r, 20000));`,
      { maximum_retry_attempts: 0 },
      { timeout: 1, startLater: true },
    );
    await p.put('slow');
    await p.mapping.start();
    await p.mapping.drain();
    expect(p.invocations).toHaveLength(1);
    expect(p.invocations[0].result).toEqual({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/),
    });
    expect(p.fn.environments).toBe(0);
    expect(p.onFailure.map((r) => [r.requestContext.condition, r.responseContext?.functionError])).toEqual([
      ['RetryAttemptsExhausted', 'Unhandled'],
    ]);
  });
});

describe('maximum record age', () => {
  test('GIVEN records two hours old and a one-hour maximum record age WHEN the mapping reads them THEN they are discarded without an invocation AND reported as RecordAgeExceeded', async () => {
    const p = await start(
      `exports.handler = async () => ({})`,
      { batch_size: 10, maximum_record_age_in_seconds: 3600 },
      { startLater: true },
    );
    await p.put('old1');
    await p.put('old2');
    await db.ageStreamRecords(2 * 3600 * 1000);
    await p.mapping.start();
    await p.mapping.drain();
    expect(p.invocations).toEqual([]);
    expect(p.onFailure).toHaveLength(1);
    expect(p.onFailure[0].requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(p.onFailure[0].responseContext).toBeUndefined();
    expect(p.onFailure[0].DDBStreamBatchInfo.batchSize).toBe(2);
  });
});
