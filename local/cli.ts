/**
 * `npm run local [-- --seconds N] [--rate R] [--outage <region>:<seconds>]`: see
 * local/run/local-run.ts. Progress goes to stderr; the last line on stdout is the verdict:
 *   converged: yes, lag p50 <n> ms p99 <n> ms, writes <n>, parked <n>
 * With --outage, the line before it says how the outage went:
 *   outage: us-east-1 down 20 s; other regions' lag p99 <n> ms during it; backlog drained in <n> s
 * Exit code 0 only when every region converged (and, with an outage, the backlog drained).
 */
import { join } from 'path';
import { outageLine } from './outage/outage-figures';
import { OutageSpec, parseOutage } from './outage/region-outage';
import { Cleanup, runLocal } from './run/local-run';
import { RunLog } from './run/run-log';

const USAGE = 'usage: npm run local [-- --seconds N] [--rate R] [--outage <region>:<seconds>]';
const OPTIONS = ['--seconds', '--rate', '--outage'];

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name} must be a positive number (got ${JSON.stringify(args[i + 1])})`);
  return value;
}

function outageOption(args: string[]): OutageSpec | undefined {
  const i = args.indexOf('--outage');
  if (i < 0) return undefined;
  try {
    return parseOutage(args[i + 1] ?? '');
  } catch (e) {
    return fail((e as Error).message);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a, i) => (a.startsWith('--') ? !OPTIONS.includes(a) : !OPTIONS.includes(args[i - 1])));
  if (unknown.length) fail(`unknown argument(s): ${unknown.join(' ')}`);
  const seconds = option(args, 'seconds', 10);
  const rate = option(args, 'rate', 20);
  const outage = outageOption(args);
  const workDir = join(__dirname, '..', '..', 'build', 'local', 'run');
  const started = Date.now();
  const cleanup = new Cleanup();
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping everything');
    void cleanup.run().then(() => process.exit(130));
  });
  const result = await runLocal({ seconds, rate, workDir, log: new RunLog(), cleanup, outage });
  console.error(
    `function logs: ${join(workDir, 'functions.log')}; queues: ${join(workDir, 'queues')}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
  const drained = !result.outage || result.outage.drainedInSeconds !== undefined;
  if (result.outage) {
    const o = result.outage;
    console.error(
      `outage details: ${o.writesDuringOutage} timed writes in the other regions while ${o.region} was down, ${o.reachedHealthyWhileDown} of them in every healthy region before it came back; lag p99 of writes made before it ${o.beforeLagP99 ?? '-'} ms (those still on their way to ${o.region} when it went down included); at most ${o.peakBacklog} copies waiting for ${o.region}`,
    );
    console.log(outageLine(o));
  }
  const lag = result.lag.count ? `lag p50 ${result.lag.p50} ms p99 ${result.lag.p99} ms` : 'lag p50 - ms p99 - ms';
  console.log(`converged: ${result.converged ? 'yes' : 'no'}, ${lag}, writes ${result.writes}, parked ${result.parked}`);
  process.exitCode = result.converged && drained ? 0 : 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
