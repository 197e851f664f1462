/**
 * `npm run local [-- --seconds N] [--rate R]`: see local/run/local-run.ts. Progress goes to
 * stderr; the last line on stdout is the verdict:
 *   converged: yes, lag p50 <n> ms p99 <n> ms, writes <n>, parked <n>
 * Exit code 0 only when every region converged.
 */
import { join } from 'path';
import { Cleanup, runLocal } from './run/local-run';
import { RunLog } from './run/run-log';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number (got ${JSON.stringify(args[i + 1])})`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a, i) =>
    a.startsWith('--') ? !['--seconds', '--rate'].includes(a) : !['--seconds', '--rate'].includes(args[i - 1]),
  );
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: npm run local [-- --seconds N] [--rate R]`);
    process.exit(2);
  }
  const seconds = option(args, 'seconds', 10);
  const rate = option(args, 'rate', 20);
  const workDir = join(__dirname, '..', '..', 'build', 'local', 'run');
  const started = Date.now();
  const cleanup = new Cleanup();
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping everything');
    void cleanup.run().then(() => process.exit(130));
  });
  const result = await runLocal({ seconds, rate, workDir, log: new RunLog(), cleanup });
  console.error(
    `function logs: ${join(workDir, 'functions.log')}; queues: ${join(workDir, 'queues')}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`,
  );
  const lag = result.lag.count ? `lag p50 ${result.lag.p50} ms p99 ${result.lag.p99} ms` : 'lag p50 - ms p99 - ms';
  console.log(`converged: ${result.converged ? 'yes' : 'no'}, ${lag}, writes ${result.writes}, parked ${result.parked}`);
  process.exitCode = result.converged ? 0 : 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 2;
});
