/**
 * The backlog alarm fires while a target region is unreachable: the synthesized writer and its
 * backlog drainer run on DynamoDB Local regions with the target behind a relay that refuses
 * connections (as an unreachable endpoint does); the writer keeps the copies in its backlog, the
 * drainer (run every minute, as its schedule does) publishes the backlog's age, its EMF output is
 * read back, and the synthesized alarm is evaluated
 * on it by a MODEL of CloudWatch alarm evaluation (test/support/alarm-model.ts: CloudWatch has no
 * local counterpart). Time is simulated: the applications' and the writer's clocks advance 20 s a
 * step, and each datapoint is placed at the time of the invocation that published it.
 * The failure queue is a FAKE SQS.
 */
import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { replicatedWrites } from '../../handlers/client';
import { streamEvent } from '../support/streams';
import { AlarmDefinition, Datapoint, evaluateAlarm } from '../support/alarm-model';
import { startTcpGate, TcpGate } from '../support/tcp-gate';
import { startWorld, World } from '../handlers/support/world';
import { deploySynthesized } from './support/synthesized-deployment';
import { replicated } from './support/replication';

const [EU, US] = ['eu-west-1', 'us-east-1'];
const STEP_MS = 20_000;
let world: World;
let gate: TcpGate;

beforeAll(async () => {
  world = await startWorld([EU, US]);
  gate = await startTcpGate(world.local[US].port);
});
afterAll(async () => {
  await gate?.stop();
  await world?.stop();
});

test('GIVEN a writer whose target region becomes unreachable WHEN writes keep coming THEN the alarm naming the target and the reason fires within 5 minutes, its backlog alarm within 5 minutes and two periods, and both are OK once the drainer applied the backlog', async () => {
  const json = replicated({ tableName: 'outage' }, [EU, US]).synth();
  const alarm = Object.values(json.resource.aws_cloudwatch_metric_alarm as Record<string, any>).find(
    (a) => a.metric_name === 'BacklogOldestAgeSeconds' && a.dimensions.SourceRegion === EU && a.dimensions.TargetRegion === US,
  ) as AlarmDefinition & { namespace: string; metric_name: string; dimensions: Record<string, string> };
  expect(alarm).toMatchObject({
    statistic: 'Maximum',
    threshold: 300,
    period: 60,
    evaluation_periods: 2,
    // The drainer publishes the age on every run: no data means it did not run.
    treat_missing_data: 'breaching',
  });
  // A refused connection is a transient failure (handlers/common/sdk-errors.ts).
  const failing = Object.values(json.resource.aws_cloudwatch_metric_alarm as Record<string, any>).find(
    (a) => a.metric_name === 'TargetFailing' && a.dimensions.TargetRegion === US && a.dimensions.Reason === 'transient',
  ) as AlarmDefinition & { namespace: string; metric_name: string; dimensions: Record<string, string>; alarm_name: string };
  expect(failing.alarm_name).toBe('test-Customers-Writer-eu-west-1-failing-us-east-1-transient');

  let clock = Math.ceil(Date.now() / 60_000) * 60_000;
  const start = clock;
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
  const points: Datapoint[] = [];
  const failingPoints: Datapoint[] = [];
  let outageFrom = 0;
  let outageTo = 0;
  try {
    const dep = await deploySynthesized(world, json, {
      targetEndpoint: (r) => (r === US ? gate.endpoint : world.local[r].endpoint),
      now: () => clock,
    });
    const writer = dep.writers.find((w) => w.region === EU)!;
    const drainer = dep.drainers.find((d) => d.region === EU)!;
    const app = replicatedWrites({ region: EU, now: () => clock });
    let pending: DynamoDBRecord[] = [];
    let n = 0;
    // One write and one delivery every 20 s; a failed batch stays pending, as the mapping retries it.
    const step = async () => {
      await world.ddb[EU].send(new PutItemCommand(app.put({ TableName: 'outage', Item: { pk: { S: `k${++n}` } } })));
      pending.push(...(await dep.readers[EU].readNew()));
      const before = lines.length;
      const res = await writer.handler(streamEvent(pending));
      const failed = res.batchItemFailures.map((f) => pending.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
      pending = failed.length ? pending.slice(Math.min(...failed)) : [];
      // The schedule runs the drainer once a minute.
      if (clock % 60_000 === 0) await drainer.handler();
      points.push(...metricPoints(lines.slice(before), alarm, clock));
      failingPoints.push(...metricPoints(lines.slice(before), failing, clock));
      clock += STEP_MS;
    };
    for (let i = 0; i < 9; i++) await step();
    outageFrom = clock;
    await gate.shut();
    for (let i = 0; i < 30; i++) await step();
    outageTo = clock;
    await gate.open();
    for (let i = 0; i < 15; i++) await step();
    expect(pending).toEqual([]);
    // Nothing was lost: every write of the outage reached the target through the backlog.
    const copies = await world.ddb[US].send(new ScanCommand({ TableName: 'outage', Select: 'COUNT' }));
    expect(copies.Count).toBe(n);
  } finally {
    spy.mockRestore();
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  const states = evaluateAlarm(alarm, points, start, clock);
  const at = (t: number) => states.filter((s) => s.end <= t).pop()!.state;
  expect(states.filter((s) => s.end <= outageFrom).map((s) => s.state)).toEqual(states.filter((s) => s.end <= outageFrom).map(() => 'OK'));
  // The oldest copy passes the threshold (s) that long into the outage; the drainer reports it within
  // a minute and the alarm needs its breaching periods more.
  const fireBy = outageFrom + alarm.threshold * 1000 + 60_000 + alarm.evaluation_periods * alarm.period * 1000 + alarm.period * 1000;
  expect(fireBy).toBeLessThan(outageTo);
  expect(states.some((s) => s.state === 'ALARM' && s.end <= fireBy && s.end > outageFrom)).toBe(true);
  expect(at(outageTo)).toBe('ALARM');
  expect(at(clock)).toBe('OK');

  // The drainer names the reason on its first run of the outage; the alarm wants two runs in a row.
  const failingStates = evaluateAlarm(failing, failingPoints, start, clock);
  const failingAt = (t: number) => failingStates.filter((s) => s.end <= t).pop()!.state;
  expect(failingStates.filter((s) => s.end <= outageFrom).every((s) => s.state === 'OK')).toBe(true);
  const firstAlarm = failingStates.find((s) => s.state === 'ALARM' && s.end > outageFrom);
  expect(firstAlarm).toBeDefined();
  expect(firstAlarm!.end - outageFrom).toBeLessThanOrEqual(5 * 60_000);
  expect(failingAt(outageTo)).toBe('ALARM');
  expect(failingAt(clock)).toBe('OK');
}, 180_000);

/** The datapoints one step's invocations published for the alarm's metric, at the step's time. */
function metricPoints(
  lines: string[],
  alarm: { namespace: string; metric_name: string; dimensions: Record<string, string> },
  at: number,
): Datapoint[] {
  const emf = lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));
  return emf
    .filter(
      (e) =>
        e[alarm.metric_name] !== undefined &&
        e._aws.CloudWatchMetrics[0].Namespace === alarm.namespace &&
        Object.entries(alarm.dimensions).every(([k, v]) => e[k] === v),
    )
    .flatMap((e) => [e[alarm.metric_name]].flat().map((value: number) => ({ at, value })));
}
