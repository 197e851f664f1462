/**
 * Plans, by the real hashicorp/aws provider, of the synthesized stacks the module and example
 * tests check. A terraform `init`, `plan` and `show -json` of one stack cost 10 to 20 s of CPU,
 * nearly all of it starting provider processes and loading the provider's schema, whatever the
 * stack holds; planned one by one these stacks took about 220 s of CPU per run. So the first
 * test file of a jest run that asks for a plan plans every stack of `STACKS` in one batched
 * terraform run (plan-batch.ts: one child module per stack, one root provider per distinct
 * provider block) while the others wait for it (run-cache.ts), and each file reads its own
 * stack's plan, cut back into the document a plan of that stack alone gives.
 *
 * Builders live with their tests' other fixtures (test/modules/support/planned-*.ts, the example
 * app); a stack added here is planned with the others. `PLAN_LAB_RUN_CACHE=off`, or a machine
 * without /proc, plans each stack alone when asked. Run stack-plans-equivalence.ts after changing
 * this file or plan-batch.ts.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { buildExampleApp } from '../../examples/app';
import { everyAlarmKind, livenessAlarms } from '../modules/support/planned-alarms';
import {
  everyFailureDestination,
  loadedConsumers,
  loadedKinesisPipeline,
  loadedTables,
  redriveOnCmkQueues,
} from '../modules/support/planned-pipelines';
import { crossAccountAccessRole, kinesisReplication, replicationVariants } from '../modules/support/planned-replication';
import { batchable, batchKey, writeBatchRoot } from './plan-batch';
import { RunCache, runCache } from './run-cache';
import { stackFolder, terraformIn } from './terraform';

/** Every planned stack, by name: a builder returning the folder of the synthesized stack (with its assets, if any). */
export const STACKS = {
  loadedTables: synthesized(loadedTables),
  redriveOnCmkQueues: synthesized(redriveOnCmkQueues),
  loadedKinesisPipeline: synthesized(loadedKinesisPipeline),
  everyFailureDestination: synthesized(everyFailureDestination),
  loadedConsumers: synthesized(loadedConsumers),
  everyAlarmKind: synthesized(everyAlarmKind),
  livenessAlarms: synthesized(livenessAlarms),
  replicationVariants: synthesized(replicationVariants),
  crossAccountAccessRole: synthesized(crossAccountAccessRole),
  kinesisReplication: synthesized(kinesisReplication),
  // The example app as `npm run synth` writes it: its stacks with their bundled assets.
  ordersExample: exampleStack('orders'),
  ordersHvExample: exampleStack('orders-hv'),
  multiRegionExample: exampleStack('multi-region'),
} satisfies Record<string, () => string>;

export type PlannedStack = keyof typeof STACKS;

const BATCH = 'stack-plans';

/** The `terraform show -json` of stack `name` planned offline (no prior state, `-refresh=false`). */
export function planOf(name: PlannedStack): any {
  const cache = runCache();
  if (!cache) return terraformIn(STACKS[name]()).initValidatePlan();
  const failure = cache.once(BATCH, () => planEveryStack(cache));
  // Every test that needs the batch reports its failure, instead of each planning it again.
  if (failure) throw new Error(failure);
  return JSON.parse(cache.get(`${BATCH}:${name}`)!);
}

/** Plans every stack into `cache`; returns '' or what failed. */
function planEveryStack(cache: RunCache): string {
  try {
    const folders = new Map(Object.entries(STACKS).map(([name, build]) => [name, build()]));
    const configs = new Map([...folders].map(([name, dir]) => [name, JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8'))]));
    const key = batchKey([...configs.values()][0]);
    const together = new Map([...configs].filter(([, c]) => batchable(c, { outputs: true, aliases: true }) && batchKey(c) === key));
    // A stack a module cannot hold is planned alone: slower, never wrong.
    for (const name of folders.keys())
      if (!together.has(name)) cache.set(`${BATCH}:${name}`, JSON.stringify(terraformIn(folders.get(name)!).initValidatePlan()));
    if (!together.size) return '';
    const dir = mkdtempSync(join(tmpdir(), 'stack-plans-'));
    const root = writeBatchRoot(dir, together);
    // Assets are referenced by paths relative to the working folder: the root's.
    for (const name of together.keys()) {
      const assets = join(folders.get(name)!, 'assets');
      if (existsSync(assets)) cpSync(assets, join(dir, 'assets'), { recursive: true });
    }
    const show = terraformIn(dir, { inPlace: true }).initValidatePlan();
    for (const name of together.keys()) cache.set(`${BATCH}:${name}`, JSON.stringify(root.planOf(show, name)));
    return '';
  } catch (e: any) {
    return `Planning the stacks of test/support/stack-plans.ts failed (module <name>/ is stack <name>):\n${e.message}`;
  }
}

function synthesized(build: () => TerraformStack): () => string {
  return () => stackFolder(Testing.synth(build()));
}

let exampleApp: string | undefined;

/** A stack of the example app, synthesized once per process for all three. */
function exampleStack(name: string): () => string {
  return () => {
    if (!exampleApp) {
      exampleApp = mkdtempSync(join(tmpdir(), 'example-app-'));
      buildExampleApp(new App({ outdir: exampleApp })).synth();
    }
    return join(exampleApp, 'stacks', name);
  };
}
