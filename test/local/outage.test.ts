/**
 * `npm run local -- --outage <region>:<seconds>` (local/outage/), briefly: the multi-region example
 * runs locally as it would deploy, its writers' backlog drainers on their local schedule, while
 * us-east-1's DynamoDB Local is killed (SIGKILL) mid run and started again on the same port and
 * the same data folder. The workload fails over to eu-west-1 while us-east-1 is down. No fakes: the
 * outage is a real process gone, and the regions are read from their real databases. Tables are
 * created with CreateTable to keep this cheap (tier 5, terraform-apply.test.ts, covers creating
 * them with terraform; `npm run local` in CI runs the terraform path).
 *
 * The oracle is the workload's own record of what it acknowledged (local/run/ground-truth.ts),
 * checked here against every region's items, not the writers' reports; the backlog is read from
 * the backlog tables themselves; arrivals from strongly consistent reads of each region.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LocalRunResult, runLocal } from '../../local/run/local-run';
import { RunLog } from '../../local/run/run-log';

let result: LocalRunResult;

beforeAll(async () => {
  result = await runLocal({
    seconds: 2,
    rate: 10,
    workDir: mkdtempSync(join(tmpdir(), 'local-outage-')),
    log: new RunLog(process.stderr, true),
    outage: { region: 'us-east-1', seconds: 6 },
    tables: 'create-table',
  });
}, 240_000);

test('GIVEN us-east-1 down mid run WHEN the others are written THEN eu-west-1 and ap-southeast-2 receive those writes before us-east-1 returns', () => {
  const o = result.outage!;
  expect(o.region).toBe('us-east-1');
  expect(o.downSeconds).toBeGreaterThanOrEqual(6);
  expect(o.writesDuringOutage).toBeGreaterThan(0);
  // A failed target delays no other: writes made while us-east-1 was away reached every healthy region.
  expect(o.reachedHealthyWhileDown).toBeGreaterThan(0);
  expect(o.healthyLagP99).toBeDefined();
});

test('GIVEN us-east-1 down WHEN copies for it cannot be written THEN they wait in the backlog, which drains to zero after it returns', () => {
  expect(result.outage!.peakBacklog).toBeGreaterThan(0);
  expect(result.peakBacklog['us-east-1']).toBe(result.outage!.peakBacklog);
  expect(result.outage!.drainedInSeconds).toBeDefined();
  expect(result.backlogAtEnd).toMatchObject({ complete: true, depth: { 'us-east-1': 0, 'eu-west-1': 0, 'ap-southeast-2': 0 } });
  expect(result.drainerRuns).toBeGreaterThan(0);
});

test('GIVEN the outage is over and everything drained WHEN every region is read THEN all hold what the workload wrote, nothing parked, no write lost', () => {
  expect(result.problems).toEqual([]);
  expect(result.writeErrors).toBe(0);
  expect(result.converged).toBe(true);
  expect(result.parked).toBe(0);
  expect(result.items).toBeGreaterThan(0);
});
