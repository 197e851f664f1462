/**
 * LWW versions and conditions: property tests in code, and the conditions checked against the
 * real DynamoDB Local expression evaluator (string comparison there must agree with ours).
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import {
  backfillVersion,
  compareSequenceNumbers,
  compareVersions,
  Condition,
  isWriterVersion,
  Item,
  makeVersion,
  newerThanTargetCondition,
  newVersion,
  parseVersion,
  versionAgeMs,
  writerVersion,
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

  test('GIVEN parts that would break the order WHEN a version is made THEN it throws', () => {
    expect(() => makeVersion(-1, 'eu-west-1', 'a')).toThrow(/epoch ms/);
    expect(() => makeVersion(1, 'EU#1', 'a')).toThrow(/region/);
    expect(() => makeVersion(1, 'eu-west-1', '')).toThrow(/nonce/);
    expect(parseVersion('12#eu#x')).toBeUndefined();
  });
});

describe('writer versions', () => {
  const seq = fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String);
  const recordMs = fc.integer({ min: 0, max: 9_000_000_000_000 });
  const floorVersion = version.filter((x) => parseVersion(x)!.ms < 9_999_999_999_999);

  test('GIVEN a record and any floor WHEN a writer version is made THEN it sorts after the floor and is at most max(record time, floor + 1 ms)', () => {
    fc.assert(
      fc.property(recordMs, region, seq, fc.option(floorVersion, { nil: undefined }), (t, r, s, floor) => {
        const v = writerVersion(t, r, s, floor);
        const p = parseVersion(v)!;
        if (floor !== undefined) expect(compareVersions(v, floor)).toBe(1);
        expect(p.ms).toBeLessThanOrEqual(Math.max(t, floor === undefined ? 0 : parseVersion(floor)!.ms + 1));
        expect(p.region).toBe(r);
        expect(isWriterVersion(v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('GIVEN the same record WHEN its writer version is made again at another time THEN it is the same version (no clock is read)', () => {
    fc.assert(
      fc.property(recordMs, region, seq, fc.option(floorVersion, { nil: undefined }), (t, r, s, f) =>
        expect(writerVersion(t, r, s, f)).toBe(writerVersion(t, r, s, f)),
      ),
    );
  });

  test('GIVEN helper versions WHEN asked whether a writer made them THEN no: their nonces are hex', () => {
    fc.assert(fc.property(region, recordMs, (r, t) => expect(isWriterVersion(newVersion(r, { now: () => t }))).toBe(false)));
  });

  test('GIVEN decimal sequence numbers of any length WHEN compared THEN the order is numeric', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 60n }), fc.bigInt({ min: 0n, max: 10n ** 60n }), fc.nat(5), (a, b, pad) => {
        expect(compareSequenceNumbers('0'.repeat(pad) + a, String(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
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
});

describe('backfill versions', () => {
  test('GIVEN the version the backfill gives an item that never had one WHEN its lag is asked THEN there is none (it was not written at time 0), while any other version has its age', () => {
    expect(versionAgeMs(backfillVersion('eu-west-1'), 1_000_000)).toBeUndefined();
    expect(versionAgeMs(makeVersion(400_000, 'eu-west-1', 'w1'), 1_000_000)).toBe(600_000);
    expect(compareVersions(backfillVersion('eu-west-1'), makeVersion(1, 'af-south-1', '0'))).toBe(-1);
  });
});
