/**
 * The oracle of `npm run local` (local/run/ground-truth.ts) and the outage figures
 * (local/outage/outage-figures.ts), on hand-made records and readings: pure, no servers. The
 * oracle must reject a region that holds what no write of the workload leaves, or lacks a write.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { outageFigures, outageLine } from '../../local/outage/outage-figures';
import { parseOutage } from '../../local/outage/region-outage';
import { signedRegion } from '../../local/outage/region-router';
import { truthProblems, WorkloadRecord } from '../../local/run/ground-truth';
import type { ReplicatedTablePlan } from '../../local/run/replication-plan';

type Item = Record<string, AttributeValue>;

const plan: ReplicatedTablePlan = {
  table: 'customers',
  partitionKey: 'pk',
  attributes: { pk: 'S' },
  writable: ['eu-west-1', 'us-east-1'],
  readOnly: { 'ap-southeast-2': { omit: ['email'], mask: ['phone'] } },
  names: {},
  backlogs: {},
};
const keyOf = (i: Item) => JSON.stringify(i.pk);
const customer = (pk: string, name: string): Item => ({
  pk: { S: pk },
  name: { S: name },
  email: { S: `${pk}@example.com` },
  phone: { S: '+353 1 000000' },
  visits: { N: '1' },
});
const held = (...items: Item[]) => new Map(items.map((i) => [keyOf(i), i]));
const stamped = (i: Item, extra: Item = {}): Item => ({
  ...i,
  _v: { S: '0001796529045400-eu-west-1-x' },
  _o: { S: 'eu-west-1' },
  ...extra,
});

function record(): WorkloadRecord {
  const r = new WorkloadRecord();
  r.wrote('a', { pk: { S: 'a' } }, { kind: 'put', region: 'eu-west-1', item: customer('a', 'Aoife') });
  r.wrote('b', { pk: { S: 'b' } }, { kind: 'put', region: 'us-east-1', item: customer('b', 'Bob') });
  r.wrote('b', { pk: { S: 'b' } }, { kind: 'put', region: 'eu-west-1', item: customer('b', 'Bob (EU)') });
  r.wrote('b', { pk: { S: 'b' } }, { kind: 'update', region: 'us-east-1' });
  r.wrote('c', { pk: { S: 'c' } }, { kind: 'put', region: 'eu-west-1', item: customer('c', 'Cara') });
  r.wrote('c', { pk: { S: 'c' } }, { kind: 'delete', region: 'us-east-1' });
  return r;
}

test('GIVEN what the workload wrote WHEN a region holds a state its writes can leave (either conflicting put, an update counted, a tombstone) THEN no problem', () => {
  const region = held(
    stamped(customer('a', 'Aoife')),
    stamped({ ...customer('b', 'Bob (EU)'), visits: { N: '2' } }),
    stamped({ pk: { S: 'c' } }, { _d: { BOOL: true } }),
  );
  expect(truthProblems(plan, record(), 'us-east-1', region, keyOf)).toEqual([]);
  const { email: _omitted, ...withoutEmail } = customer('a', 'Aoife');
  const sydney = held(stamped({ ...withoutEmail, phone: { S: '***' } }));
  const r = new WorkloadRecord();
  r.wrote('a', { pk: { S: 'a' } }, { kind: 'put', region: 'eu-west-1', item: customer('a', 'Aoife') });
  expect(truthProblems(plan, r, 'ap-southeast-2', sydney, keyOf, plan.readOnly['ap-southeast-2'])).toEqual([]);
});

test('GIVEN what the workload wrote WHEN a region lost a put, kept a value nobody wrote, counts more visits than updates, or holds an unknown key THEN each is a problem naming the region and key', () => {
  const region = held(
    stamped({ ...customer('b', 'Bob (US)') }),
    stamped({ ...customer('c', 'Cara'), visits: { N: '3' } }),
    stamped(customer('zz', 'Stray')),
  );
  expect(truthProblems(plan, record(), 'eu-west-1', region, keyOf)).toEqual([
    'eu-west-1 lacks a, which the workload put and never deleted',
    expect.stringMatching(/^eu-west-1 holds b as .*Bob \(US\).*, which none of its 3 write\(s\) leaves$/),
    expect.stringMatching(/^eu-west-1 holds c as .*"3".*, which none of its 2 write\(s\) leaves$/),
    'eu-west-1 holds {"S":"zz"}, which the workload never wrote',
  ]);
});

test('GIVEN a read replica WHEN it holds an omitted attribute or an unmasked one THEN it does not match the put', () => {
  const r = new WorkloadRecord();
  r.wrote('a', { pk: { S: 'a' } }, { kind: 'put', region: 'eu-west-1', item: customer('a', 'Aoife') });
  const target = plan.readOnly['ap-southeast-2'];
  expect(truthProblems(plan, r, 'ap-southeast-2', held(stamped(customer('a', 'Aoife'))), keyOf, target)).toHaveLength(1);
});

test('GIVEN arrivals and backlog readings around an outage WHEN the figures are computed THEN lag counts only writes made in healthy regions while it was down, to healthy regions', () => {
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
  const write = (key: string, region: string, at: number) => ({ key, writeId: key, region, viaHelper: true, at });
  const figures = outageFigures({
    region: 'us-east-1',
    regions,
    downAt: 10_000,
    upAt: 30_000,
    arrivals: [
      {
        write: write('before', 'eu-west-1', 5_000),
        seen: new Map([
          ['us-east-1', 5_300],
          ['ap-southeast-2', 5_400],
        ]),
      },
      {
        write: write('during', 'eu-west-1', 12_000),
        seen: new Map([
          ['ap-southeast-2', 12_500],
          ['us-east-1', 40_000],
        ]),
      },
      { write: write('late', 'eu-west-1', 29_000), seen: new Map([['ap-southeast-2', 31_000]]) },
      { write: write('lost', 'eu-west-1', 20_000), seen: new Map() },
    ],
    readings: [
      { at: 11_000, depth: { 'us-east-1': 3 }, complete: true },
      { at: 25_000, depth: { 'us-east-1': 40 }, complete: true },
      { at: 45_000, depth: { 'us-east-1': 0 }, complete: true },
    ],
    drainedAt: 45_000,
  });
  expect(figures).toEqual({
    region: 'us-east-1',
    downSeconds: 20,
    writesDuringOutage: 3,
    reachedHealthyWhileDown: 1,
    healthyLagP50: 500,
    healthyLagP99: 2000,
    beforeLagP99: 400,
    peakBacklog: 40,
    drainedInSeconds: 15,
  });
  expect(outageLine(figures)).toBe("outage: us-east-1 down 20 s; other regions' lag p99 2000 ms during it; backlog drained in 15 s");
});

test('GIVEN --outage values WHEN parsed THEN <region>:<seconds> is accepted and anything else refused with what is allowed', () => {
  expect(parseOutage('us-east-1:20')).toEqual({ region: 'us-east-1', seconds: 20 });
  expect(() => parseOutage('us-east-1')).toThrow(/--outage must be <region>:<seconds> .*got "us-east-1"/);
  expect(() => parseOutage('us-east-1:0')).toThrow(/seconds > 0/);
  expect(() => parseOutage('mars-1:5', ['eu-west-1'])).toThrow(/--outage must be/);
  expect(() => parseOutage('us-west-2:5', ['eu-west-1', 'us-east-1'])).toThrow(
    /us-west-2, which the stack does not deploy to; its regions are eu-west-1, us-east-1/,
  );
  expect(signedRegion('AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/dynamodb/aws4_request, SignedHeaders=host')).toBe('us-east-1');
  expect(signedRegion(undefined)).toBeUndefined();
});
