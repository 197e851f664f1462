/**
 * Real plans with updates and replacements, offline. Terraform can only plan an update against
 * existing state, and offline nothing can be applied; so we plan the "before" config, turn its
 * planned values into a version 4 state file (computed values Terraform would learn at apply get
 * plausible fakes: ARNs, ids), and plan the "after" config against that state with
 * -refresh=false. Everything Terraform then says (actions, replace_paths, unknowns) is the real
 * provider's decision.
 */
import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformRun, makeOffline, terraformIn } from '../../support/terraform';
import { BatchRoot, batchKey, batchable, writeBatchRoot } from '../../support/plan-batch';
import { runCache } from '../../support/run-cache';
import { stateFromPlan } from './plan-state';

const changed = (show: any) => (show.resource_changes ?? []).filter((c: any) => c.change.actions.join() !== 'no-op');

export interface PlanLab {
  /** Real `terraform show -json` of planning `after` against a state made from `before`. */
  plan(before: object, after: object): any;
  /**
   * Plans the given pairs ahead, batched (support/plan-batch.ts): the prior states of all their
   * `before`s converge together, and all `after`s are planned in one terraform run. `plan` then
   * answers those pairs without running terraform. Pairs that cannot be batched are left to `plan`.
   */
  prepare(pairs: ReadonlyArray<readonly [before: object, after: object]>): void;
  /** `terraform providers schema -json` resource schemas of hashicorp/aws (read once per jest run). */
  schemas(): any;
  /** The folder terraform runs in. */
  readonly dir: string;
  /** Runs terraform in `dir` (initialized first if no run needed it yet). */
  run(args: string[]): string;
  /** The state file content `plan` uses for `before` (made now if no `plan` or `prepare` made it yet). */
  priorState(before: object): string;
  dispose(): void;
}

/**
 * One terraform working folder, reused for every plan of a test file; initialized when it first
 * runs terraform (a file whose plans other files of the run already made never does).
 */
export function planLab(): PlanLab {
  const empty = mkdtempSync(join(tmpdir(), 'review-lab-'));
  writeFileSync(
    join(empty, 'cdk.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } }),
  );
  const tf: TerraformRun = terraformIn(empty);
  rmSync(empty, { recursive: true, force: true });
  let initialized = false;
  const init = () => {
    tf.run(['init', '-input=false', '-no-color']);
    initialized = true;
  };
  const run = (args: string[]) => {
    if (!initialized) init();
    return tf.run(args);
  };
  const write = (config: object) => writeFileSync(join(tf.dir, 'cdk.tf.json'), JSON.stringify(makeOffline(config), null, 2));
  const planShow = (name: string) => {
    run(['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false', `-out=${name}`]);
    return JSON.parse(run(['show', '-json', name]));
  };
  const statePath = join(tf.dir, 'terraform.tfstate');
  const setState = (text: string) => {
    if (text) writeFileSync(statePath, text);
    else if (existsSync(statePath)) rmSync(statePath);
  };
  const shared = runCache();
  let schemaCache: any;
  // The same for every lab of the run (the version is pinned above): about 5 s of CPU, read once.
  const readSchemas = () =>
    JSON.stringify(
      JSON.parse(run(['providers', 'schema', '-json'])).provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas,
    );
  const schemas = () =>
    (schemaCache ??= JSON.parse(shared ? shared.once('provider-schema hashicorp/aws 5.100.0', readSchemas) : readSchemas()));
  /**
   * Plans the configuration in the folder from an empty state, then again against the state made
   * from each plan, until nothing changes; each round resolves one more level of references
   * between resources, a few suffice. Returns the last state written ('' for none).
   */
  const converge = (stateOf: (show: any) => object): string => {
    setState('');
    let show = planShow('before.tfplan');
    for (let round = 0; changed(show).length > 0; round++) {
      if (round === 6)
        throw new Error(
          `prior state did not converge: ${changed(show)
            .map((c: any) => c.address)
            .join(', ')} still change`,
        );
      writeFileSync(statePath, JSON.stringify(stateOf(show), null, 2));
      show = planShow('before.tfplan');
    }
    return existsSync(statePath) ? readFileSync(statePath, 'utf8') : '';
  };
  const states = new Map<string, string>();
  /** Whether the prior state of `before` (by its JSON) is known, here or to another file of the run. */
  const hasState = (key: string) => {
    const text = states.get(key) ?? shared?.get(`prior-state ${key}`);
    if (text !== undefined) states.set(key, text);
    return text !== undefined;
  };
  const keepState = (key: string, text: string) => {
    states.set(key, text);
    shared?.set(`prior-state ${key}`, text);
  };
  /** `terraform show -json` text per JSON of a [before, after] pair planned by `prepare`, here or by another file. */
  const prepared = new Map<string, string>();
  const preparedPlan = (key: string) => {
    const text = prepared.get(key) ?? shared?.get(`plan ${key}`);
    if (text !== undefined) prepared.set(key, text);
    return text;
  };
  let batches = 0;
  const convergeAlone = (before: object) => {
    write(before);
    keepState(
      JSON.stringify(before),
      converge((show) => stateFromPlan(show, schemas())),
    );
  };
  const runBatch = (configs: Map<string, any>): BatchRoot => {
    const root = writeBatchRoot(tf.dir, configs);
    // Installs the new child modules (and the provider, on the folder's first run).
    init();
    return root;
  };
  const convergeBatch = (befores: any[]) => {
    const names = befores.map(() => `b${batches++}`);
    const root = runBatch(new Map(names.map((n, i) => [n, befores[i]])));
    const merged = converge((show) => {
      // A module that no longer changes keeps the state it converged to, as it would alone.
      const previous: any[] = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')).resources : [];
      const resources = names.flatMap((n) => {
        const own = root.planOf(show, n);
        if (changed(own).length === 0) return previous.filter((r) => r.module === `module.${n}`);
        return root.stateIn(stateFromPlan(own, schemas()), n);
      });
      return { ...(stateFromPlan(root.planOf(show, names[0]), schemas()) as any), resources };
    });
    const all = merged ? JSON.parse(merged) : { resources: [] };
    names.forEach((n, i) => {
      const own = root.stateOf(all.resources, n);
      keepState(JSON.stringify(befores[i]), own.length ? JSON.stringify({ ...all, resources: own }, null, 2) : '');
    });
  };
  const planBatch = (pairs: ReadonlyArray<readonly [object, object]>) => {
    const names = pairs.map(() => `a${batches++}`);
    const root = runBatch(new Map(names.map((n, i) => [n, pairs[i][1]])));
    const priors = pairs.map(([before]) => states.get(JSON.stringify(before)) || '');
    const template = priors.find(Boolean);
    setState(
      template
        ? JSON.stringify({
            ...JSON.parse(template),
            resources: priors.flatMap((p, i) => (p ? root.stateIn(JSON.parse(p), names[i]) : [])),
          })
        : '',
    );
    const show = planShow('after.tfplan');
    names.forEach((n, i) => {
      const key = JSON.stringify(pairs[i]);
      prepared.set(key, JSON.stringify(root.planOf(show, n)));
      shared?.set(`plan ${key}`, prepared.get(key)!);
    });
  };
  const prepare = (pairs: ReadonlyArray<readonly [object, object]>) => {
    const todo = pairs.filter(([b, a]) => batchable(b) && batchable(a) && preparedPlan(JSON.stringify([b, a])) === undefined);
    // A before whose after cannot be batched still converges with the others.
    const befores = [...new Map(pairs.map(([b]) => [JSON.stringify(b), b])).values()].filter(
      (b) => batchable(b) && !hasState(JSON.stringify(b)),
    );
    for (const group of groupBy(befores, batchKey)) {
      if (group.length > 1) convergeBatch(group);
      else convergeAlone(group[0]);
    }
    const unique = [...new Map(todo.map((p) => [JSON.stringify(p), p])).values()];
    for (const group of groupBy(unique, ([, a]) => batchKey(a))) if (group.length > 1) planBatch(group);
  };
  return {
    dir: tf.dir,
    run,
    schemas,
    plan(before, after) {
      const key = JSON.stringify(before);
      if (!hasState(key)) convergeAlone(before);
      // Written even when the plan is ready: tests run terraform on them (a text plan, state show).
      setState(states.get(key)!);
      write(after);
      const ready = preparedPlan(JSON.stringify([before, after]));
      return ready ? JSON.parse(ready) : planShow('after.tfplan');
    },
    prepare(pairs) {
      if (!shared) return prepare(pairs);
      // The first file of the run to ask plans the pairs; one asking meanwhile waits, then reads them.
      const key = createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
      shared.once(`prepared ${key}`, () => {
        prepare(pairs);
        return 'done';
      });
    },
    priorState(before) {
      if (!hasState(JSON.stringify(before))) convergeAlone(before);
      return states.get(JSON.stringify(before))!;
    },
    dispose() {
      rmSync(tf.dir, { recursive: true, force: true });
    },
  };
}

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}
