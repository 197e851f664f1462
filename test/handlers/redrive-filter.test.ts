import { matchesAny, parsePatterns } from '../../handlers/common/filter-pattern';
import { configFromEnv } from '../../handlers/redrive/config';

/** A Lambda-shaped DynamoDB stream record (images in DynamoDB JSON, as filters see them). */
const rec = (eventName: string, image: Record<string, unknown> | undefined) => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: { Keys: { pk: { S: 'k' } }, NewImage: image },
});
const match = (patterns: object[], record: unknown) => matchesAny(record, parsePatterns(patterns.map((p) => JSON.stringify(p))));

describe('redrive filter criteria', () => {
  test('GIVEN value lists WHEN records are matched THEN a field matches one of the listed values, nested fields all must match, and no patterns match everything', () => {
    const p = [{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { status: { S: ['PAID'] } } } }];
    expect(match(p, rec('INSERT', { status: { S: 'PAID' } }))).toBe(true);
    expect(match(p, rec('MODIFY', { status: { S: 'PAID' } }))).toBe(true);
    expect(match(p, rec('REMOVE', { status: { S: 'PAID' } }))).toBe(false);
    expect(match(p, rec('INSERT', { status: { S: 'OPEN' } }))).toBe(false);
    expect(match(p, rec('INSERT', undefined))).toBe(false);
    expect(match([], rec('REMOVE', undefined))).toBe(true);
  });

  test('GIVEN several patterns or $or WHEN records are matched THEN any alternative is enough', () => {
    expect(
      match([{ eventName: ['REMOVE'] }, { dynamodb: { NewImage: { vip: { BOOL: [true] } } } }], rec('INSERT', { vip: { BOOL: true } })),
    ).toBe(true);
    expect(
      match(
        [{ $or: [{ eventName: ['REMOVE'] }, { dynamodb: { NewImage: { vip: { BOOL: [true] } } } }] }],
        rec('INSERT', { vip: { BOOL: false } }),
      ),
    ).toBe(false);
  });

  test('GIVEN the operators Lambda documents WHEN records are matched THEN prefix, suffix, equals-ignore-case, anything-but, exists and numeric behave as specified', () => {
    const s = (v: string) => rec('INSERT', { a: { S: v } });
    const on = (rule: unknown) => [{ dynamodb: { NewImage: { a: { S: [rule] } } } }];
    expect(match(on({ prefix: 'ord' }), s('order-1'))).toBe(true);
    expect(match(on({ prefix: 'ord' }), s('xorder'))).toBe(false);
    expect(match(on({ suffix: '.png' }), s('a.png'))).toBe(true);
    expect(match(on({ 'equals-ignore-case': 'PaId' }), s('paid'))).toBe(true);
    expect(match(on({ 'anything-but': ['a', 'b'] }), s('c'))).toBe(true);
    expect(match(on({ 'anything-but': ['a', 'b'] }), s('a'))).toBe(false);
    expect(match(on({ 'anything-but': { prefix: 'tmp' } }), s('tmp-1'))).toBe(false);
    expect(match([{ dynamodb: { NewImage: { a: [{ exists: true }] } } }], s('x'))).toBe(true);
    expect(match([{ dynamodb: { NewImage: { gone: [{ exists: false }] } } }], s('x'))).toBe(true);
    expect(match([{ dynamodb: { NewImage: { a: [{ exists: false }] } } }], s('x'))).toBe(false);
    // DynamoDB numbers are strings in stream JSON, so numeric rules only see real JSON numbers.
    expect(match([{ n: [{ numeric: ['>', 0, '<=', 5] }] }], { n: 5 })).toBe(true);
    expect(match([{ n: [{ numeric: ['>', 0, '<=', 5] }] }], { n: 6 })).toBe(false);
    expect(match([{ dynamodb: { NewImage: { n: { N: [{ numeric: ['>', 0] }] } } } }], rec('INSERT', { n: { N: '3' } }))).toBe(false);
  });

  test('GIVEN an operator the redrive does not implement WHEN the configuration is read THEN it is refused rather than guessed', () => {
    expect(() => parsePatterns(['{"a":[{"wildcard":"x*"}]}'])).toThrow(
      'filter pattern 0.a: operator "wildcard" is not applied by the redrive (supported: prefix, suffix, equals-ignore-case, anything-but, numeric, exists)',
    );
    expect(() =>
      configFromEnv({ REDRIVE_PARKED_QUEUE_URL: 'https://q', REDRIVE_FILTER_PATTERNS: '["{\\"a\\":[{\\"cidr\\":\\"10.0.0.0/8\\"}]}"]' }),
    ).toThrow(
      'redrive configuration is invalid:\n- REDRIVE_FILTER_PATTERNS must be a JSON array of filter pattern strings the redrive applies (filter pattern 0.a: operator "cidr" is not applied by the redrive (supported: prefix, suffix, equals-ignore-case, anything-but, numeric, exists))',
    );
    expect(
      configFromEnv({ REDRIVE_PARKED_QUEUE_URL: 'https://q', REDRIVE_FILTER_PATTERNS: '["{\\"eventName\\":[\\"INSERT\\"]}"]' }),
    ).toEqual({
      parkedQueueUrl: 'https://q',
      maxAttempts: 3,
      invokeBatchSize: 100,
      parkMaxBytes: 262144,
      filterPatterns: ['{"eventName":["INSERT"]}'],
    });
  });
});
