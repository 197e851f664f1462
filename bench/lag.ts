/**
 * End-to-end replication lag, as `npm run local` measures it (local/run): the multi-region
 * example applied into DynamoDB Local, its replica writers run by the local event source
 * mapping, and application writes at a steady 50 writes/s (through the helper and without it,
 * conflicts included) for 30 s after a warm-up. Lag is from a write's acknowledgement until a
 * strongly consistent read finds it in every other region. The example's mappings have no
 * batching window (checked below, from the synthesized configuration).
 */
import { join } from 'path';
import { LocalRunResult, runLocal } from '../local/run/local-run';
import { RunLog } from '../local/run/run-log';

export const LAG_RATE = 50;
export const LAG_SECONDS = 30;

export async function runLagBench(): Promise<LocalRunResult> {
  const result = await runLocal({
    seconds: LAG_SECONDS,
    rate: LAG_RATE,
    workDir: join(__dirname, '..', '..', 'build', 'local', 'bench-lag'),
    log: new RunLog(process.stderr),
  });
  const windows = result.mappings.filter((m) => m.maxBatchingWindowMs !== 0);
  if (windows.length)
    throw new Error(`the lag benchmark needs mappings without a batching window; ${windows.map((m) => m.name).join(', ')} have one`);
  if (!result.converged) throw new Error(`the regions did not converge: ${result.problems.join('; ')}`);
  return result;
}
