/**
 * LWW versions and conditions: property tests in code, and the conditions checked against the
 * real DynamoDB Local expression evaluator (string comparison there must agree with ours).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import {
  classifyRecord,
  compareVersions,
  Condition,
  Item,
  makeVersion,
  newerThanTargetCondition,
  newVersion,
  parseVersion,
  stampCondition,
  tombstoneCondition,
} from '../../handlers/lww';
import { DynamoDbLocal, dynamoClient, startDynamoDbLocal } from '../support/dynamodb-local';
import { createStreamTable } from '../support/streams';

const ms = fc.integer({ min: 0, max: 9_999_999_999_999 });
const region = fc.stringMatching(/^[a-z0-9-]{1,14}$/);
const nonce = fc.stringMatching(/^[0-9a-z]{1,12}$/);
const parts = fc.tuple(ms, region, nonce);
const version = parts.map(([m, r, n]) => makeVersion(m, r, n));
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

describe('versions', () => {
  test('GIVEN any parts WHEN made into a version and parsed THEN the parts come back', () => {
    fc.assert(fc.property(parts, ([m, r, n]) => expect(parseVersion(makeVersion(m, r, n))).toEqual({ ms: m, region: r, nonce: n })));
  });

  test('GIVEN two versions WHEN compared as strings THEN the order is (time, region, nonce) order', () => {
    fc.assert(
      fc.property(parts, parts, ([m1, r1, n1], [m2, r2, n2]) => {
        const expected = cmp(m1, m2) || cmp(r1, r2) || cmp(n1, n2);
        expect(compareVersions(makeVersion(m1, r1, n1), makeVersion(m2, r2, n2))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('GIVEN versions WHEN compared THEN the order is total: antisymmetric, transitive, equal only when identical', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a));
        expect(compareVersions(a, b) === 0).toBe(a === b);
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });

  test('GIVEN a version from a clock ahead of ours WHEN a new version must follow it THEN the new one sorts after it', () => {
    fc.assert(fc.property(version.filter((x) => parseVersion(x)!.ms < 9_999_999_999_999), region, fc.integer({ min: 0, max: 9_000_000_000_000 }), (after, r, now) => {
      expect(compareVersions(newVersion(r, { now: () => now, after }), after)).toBe(1);
    }));
  });

  test('GIVEN parts that would break the order WHEN a version is made THEN it throws', () => {
    expect(() => makeVersion(-1, 'eu-west-1', 'a')).toThrow(/epoch ms/);
    expect(() => makeVersion(1, 'EU#1', 'a')).toThrow(/region/);
    expect(() => makeVersion(1, 'eu-west-1', '')).toThrow(/nonce/);
    expect(parseVersion('12#eu#x')).toBeUndefined();
  });
});

describe('record classification (in eu-west-1)', () => {
  const v = (m: number, r = 'eu-west-1') => makeVersion(m, r, 'n');
  const img = (ver?: string, origin?: string): Item => ({ pk: { S: 'k' }, ...(ver ? { _v: { S: ver } } : {}), ...(origin ? { _o: { S: origin } } : {}) });
  const c = (rec: Parameters<typeof classifyRecord>[0], seen?: string) => classifyRecord(rec, 'eu-west-1', undefined, seen);

  test('GIVEN a new version from here THEN replicate; from elsewhere THEN echo', () => {
    expect(c({ eventName: 'INSERT', newImage: img(v(5), 'eu-west-1') })).toEqual({ kind: 'replicate', version: v(5) });
    expect(c({ eventName: 'MODIFY', oldImage: img(v(4)), newImage: img(v(5, 'us-east-1'), 'us-east-1') })).toEqual({ kind: 'echo', version: v(5, 'us-east-1') });
  });

  test('GIVEN no version, an unchanged one or a lower one THEN stamp after the highest seen', () => {
    expect(c({ eventName: 'INSERT', newImage: img() })).toEqual({ kind: 'stamp', after: undefined });
    expect(c({ eventName: 'MODIFY', oldImage: img(v(5)), newImage: img(v(5), 'eu-west-1') })).toEqual({ kind: 'stamp', after: v(5) });
    expect(c({ eventName: 'MODIFY', oldImage: img(v(7)), newImage: img(v(5), 'eu-west-1') })).toEqual({ kind: 'stamp', after: v(7) });
    expect(c({ eventName: 'MODIFY', oldImage: img(), newImage: img(v(5), 'eu-west-1') }, v(6))).toEqual({ kind: 'stamp', after: v(6) });
  });

  test('GIVEN a delete THEN a tombstone, unless DynamoDB TTL made it', () => {
    expect(c({ eventName: 'REMOVE', oldImage: img(v(3)) })).toEqual({ kind: 'tombstone', after: v(3) });
    expect(c({ eventName: 'REMOVE', oldImage: img(v(3)), userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } })).toEqual({ kind: 'ttl' });
  });

  test('GIVEN a malformed version or missing images THEN malformed with the reason', () => {
    expect(c({ eventName: 'INSERT', newImage: { pk: { S: 'k' }, _v: { N: '1' } } })).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/malformed version/) });
    expect(c({ eventName: 'MODIFY', newImage: img(v(1)) })).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/NEW_AND_OLD_IMAGES/) });
    expect(c({ eventName: 'INSERT' })).toMatchObject({ kind: 'malformed', reason: expect.stringMatching(/NEW_AND_OLD_IMAGES/) });
  });
});

describe('conditions on real DynamoDB Local', () => {
  let local: DynamoDbLocal;
  let ddb: DynamoDBClient;
  const TABLE = 'lww-conditions';
  beforeAll(async () => {
    local = await startDynamoDbLocal();
    ddb = dynamoClient(local.endpoint);
    await createStreamTable(ddb, TABLE);
  });
  afterAll(async () => {
    ddb?.destroy();
    await local?.stop();
  });

  let n = 0;
  /** Puts `current` (if any) under a fresh key, then tries a put under `condition`; true if it passed. */
  async function passes(current: Item | undefined, condition: Condition): Promise<boolean> {
    const pk = { S: `c${++n}` };
    if (current) await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...current, pk } }));
    try {
      await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk, w: { BOOL: true } }, ...condition }));
      return true;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      return false;
    }
  }

  test('GIVEN a stored and an incoming version WHEN the replica condition is evaluated by DynamoDB THEN it passes exactly when the code says incoming is newer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(version, { nil: undefined }), version, async (stored, incoming) => {
        const current: Item = stored === undefined ? { x: { S: 'unversioned' } } : { _v: { S: stored } };
        const expected = stored === undefined || compareVersions(stored, incoming) < 0;
        expect(await passes(current, newerThanTargetCondition(incoming))).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  const here = 'eu-west-1';
  const state = fc.record({
    exists: fc.boolean(),
    v: fc.option(version, { nil: undefined }),
    local: fc.boolean(),
  });

  test('GIVEN any current item WHEN stamp and tombstone conditions are evaluated by DynamoDB THEN they match the rule: replace if absent (tombstone) / unversioned (stamp), no newer than seen, or an older replicated write', async () => {
    await fc.assert(
      fc.asyncProperty(state, version, fc.option(version, { nil: undefined }), async (s, mine, floor) => {
        const current: Item | undefined = !s.exists ? undefined : s.v === undefined ? { x: { S: 'raw' } } : { _v: { S: s.v }, _o: { S: s.local ? here : 'us-east-1' } };
        const replaceable = s.v !== undefined && ((floor !== undefined && s.v <= floor) || (s.v < mine && !s.local));
        expect(await passes(current, stampCondition('pk', mine, floor, here))).toBe(s.exists && (s.v === undefined || replaceable));
        expect(await passes(current, tombstoneCondition('pk', mine, floor, here))).toBe(!s.exists || replaceable);
      }),
      { numRuns: 150 },
    );
  });
});
