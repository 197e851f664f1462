/**
 * The redrive pauses between attempts: bounded exponential backoff with full jitter. The pauses
 * are recorded, not waited for (tests never assert timings); the invoker is an in-process stand-in
 * for Lambda Invoke (no local Lambda), answering batchItemFailures per call.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { backoffDelayMs, worstCaseBackoffMs } from '../../handlers/redrive/backoff';
import { retryRecords } from '../../handlers/redrive/invoke';
import { redriveBackoffBudgetMs } from '../../modules/internal/redrive-timing';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer';
const record = (seq: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: { SequenceNumber: seq, Keys: { pk: { S: `k${seq}` } } },
});

/** The policy as documented (docs/constructs.md, FailureRedrive timing): before attempt n >= 2, at most min(2000, 100 x 2^(n-2)) ms. */
const documentedCap = (n: number) => Math.min(2000, 100 * 2 ** (n - 2));

describe('redrive backoff', () => {
  test('GIVEN a record that keeps failing WHEN retried 6 times THEN the redrive pauses before each further attempt, never before the first, each pause within the growing bound', async () => {
    const events: string[] = [];
    const invoke = async (_arn: string, event: { Records: DynamoDBRecord[] }) => {
      events.push('invoke');
      return { response: { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) } };
    };
    const pauses: number[] = [];
    const outcome = await retryRecords(invoke as any, ARN, [record('1')], 6, 10, async (attempt) => {
      events.push(`pause ${attempt}`);
      pauses.push(backoffDelayMs(attempt));
    });
    expect(events).toEqual([
      'invoke',
      'pause 2',
      'invoke',
      'pause 3',
      'invoke',
      'pause 4',
      'invoke',
      'pause 5',
      'invoke',
      'pause 6',
      'invoke',
    ]);
    pauses.forEach((p, i) => {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(documentedCap(i + 2));
    });
    expect(outcome.failed).toHaveLength(1);
  });

  test('GIVEN records that succeed at once WHEN redriven THEN there is no pause', async () => {
    const pauses: number[] = [];
    await retryRecords(
      (async () => ({ response: { batchItemFailures: [] } })) as any,
      ARN,
      [record('1'), record('2')],
      3,
      10,
      async (a) => {
        pauses.push(a);
      },
    );
    expect(pauses).toEqual([]);
  });

  test('GIVEN the extremes of the random draw WHEN the pause is computed THEN it spans [0, cap) with the cap doubling from 100 ms up to 2 s', () => {
    for (let n = 2; n <= 10; n++) {
      expect(backoffDelayMs(n, () => 0)).toBe(0);
      expect(backoffDelayMs(n, () => 0.999999)).toBe(documentedCap(n) - 1);
    }
    expect([2, 3, 4, 5, 6, 7].map(documentedCap)).toEqual([100, 200, 400, 800, 1600, 2000]);
  });

  test('GIVEN up to 10 attempts WHEN the redrive timing budgets the pauses THEN handler and construct both count the sum of the caps', () => {
    let sum = 0;
    for (let n = 2; n <= 10; n++) sum += documentedCap(n);
    expect(worstCaseBackoffMs(10)).toBe(sum);
    expect(worstCaseBackoffMs(1)).toBe(0);
    // The construct budgets the same pauses into the redrive's timeout (it cannot import the handler).
    for (let attempts = 1; attempts <= 10; attempts++) expect(redriveBackoffBudgetMs(attempts)).toBe(worstCaseBackoffMs(attempts));
  });
});
