/**
 * Real plans with updates and replacements, offline. Terraform can only plan an update against
 * existing state, and offline nothing can be applied; so we plan the "before" config, turn its
 * planned values into a version 4 state file (computed values Terraform would learn at apply get
 * plausible fakes: ARNs, ids), and plan the "after" config against that state with
 * -refresh=false. Everything Terraform then says (actions, replace_paths, unknowns) is the real
 * provider's decision.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformRun, makeOffline, terraformIn } from '../../support/terraform';
import { batchable, planOfModule, providerKey, stateInModule, writeBatchRoot } from './plan-batch';
import { runCache } from './run-cache';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

/** A plausible ARN for a resource of `type` called `name` (the provider validates ARN syntax). */
function fakeArn(type: string, name: string, attr: string, values: Record<string, any>): string {
  const n = String(values.name ?? values.function_name ?? values.alarm_name ?? name);
  switch (type) {
    case 'aws_dynamodb_table':
      return attr === 'stream_arn'
        ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${n}/stream/2026-01-01T00:00:00.000`
        : `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${n}`;
    case 'aws_iam_role':
      return `arn:aws:iam::${ACCOUNT}:role/${n}`;
    case 'aws_iam_policy':
      return `arn:aws:iam::${ACCOUNT}:policy/${n}`;
    case 'aws_lambda_function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${n}`;
    case 'aws_sqs_queue':
    case 'aws_sns_topic':
      return `arn:aws:${type.split('_')[1]}:${REGION}:${ACCOUNT}:${n}`;
    default:
      return `arn:aws:${type.split('_')[1]}:${REGION}:${ACCOUNT}:${type.slice(4)}/${n}`;
  }
}

function fakeId(type: string, name: string, values: Record<string, any>): string {
  if (type === 'aws_sqs_queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${values.name ?? name}`;
  if (type === 'aws_iam_role_policy') return `${values.role}:${values.name}`;
  if (type === 'aws_sns_topic') return fakeArn(type, name, 'arn', values);
  if (type === 'aws_lambda_event_source_mapping') return '00000000-0000-4000-8000-000000000001';
  return String(values.name ?? values.function_name ?? values.alarm_name ?? name);
}

/** A value for a computed attribute Terraform would learn at apply, typed by the provider schema. */
function fakeValue(type: string, name: string, attr: string, schema: any, values: Record<string, any>): unknown {
  const t = schema?.type;
  if (t === 'string') {
    if (attr === 'id' || attr === 'uuid') return fakeId(type, name, values);
    if (attr === 'function_arn') return fakeArn('aws_lambda_function', name, attr, values);
    if ((attr === 'arn' || attr.endsWith('_arn')) && !schema.optional) return fakeArn(type, name, attr, values);
    if (attr === 'url') return fakeId('aws_sqs_queue', name, values);
    if (attr === 'stream_label') return '2026-01-01T00:00:00.000';
    return '';
  }
  if (t === 'number') return 0;
  if (t === 'bool') return false;
  if (Array.isArray(t) && (t[0] === 'list' || t[0] === 'set')) return [];
  if (Array.isArray(t) && t[0] === 'map') return {};
  return null;
}

/**
 * Planned values with every unknown the provider computes replaced by a fake; unknowns that come
 * from the configuration (references to other resources) stay null and are resolved by the next
 * round of planning.
 */
function fillUnknowns(
  type: string,
  name: string,
  values: Record<string, any>,
  unknown: Record<string, any>,
  block: any,
  configured: Set<string>,
): Record<string, any> {
  const out = { ...values };
  for (const [attr, u] of Object.entries(unknown ?? {})) {
    if (u !== true || configured.has(attr)) continue;
    if (block?.attributes?.[attr]) out[attr] = fakeValue(type, name, attr, block.attributes[attr], values);
    else if (block?.block_types?.[attr]) out[attr] = ['list', 'set'].includes(block.block_types[attr].nesting_mode) ? [] : null;
  }
  return out;
}

/**
 * A plan's `after_sensitive` tree as state v4 `sensitive_attributes` paths: block fields are
 * `get_attr` steps, list elements and map keys (read by the schema) `index` steps.
 */
function sensitivePaths(tree: unknown, block: any, path: object[] = []): object[][] {
  const index = (value: string | number) => ({ type: 'index', value: { value, type: typeof value === 'number' ? 'number' : 'string' } });
  if (tree === true) return [path];
  if (!tree || typeof tree !== 'object') return [];
  if (Array.isArray(tree)) return tree.flatMap((x, i) => sensitivePaths(x, block, [...path, index(i)]));
  return Object.entries(tree).flatMap(([k, x]) => {
    if (block === undefined) return sensitivePaths(x, undefined, [...path, index(k)]);
    const attr = { type: 'get_attr', value: k };
    if (block.attributes?.[k]) return sensitivePaths(x, undefined, [...path, attr]);
    return sensitivePaths(x, block.block_types?.[k]?.block, [...path, attr]);
  });
}

/** A terraform.tfstate (version 4) holding what `show` planned, with computed values faked. */
export function stateFromPlan(show: any, schemas: any): object {
  const config = new Map<string, any>((show.configuration?.root_module?.resources ?? []).map((r: any) => [r.address, r]));
  const resources = (show.planned_values?.root_module?.resources ?? []).map((r: any) => {
    const rc = show.resource_changes.find((c: any) => c.address === r.address);
    const configured = new Set(Object.keys(config.get(r.address)?.expressions ?? {}));
    const block = schemas[r.type]?.block;
    return {
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider: `provider["${r.provider_name}"]`,
      instances: [
        {
          schema_version: r.schema_version,
          attributes: fillUnknowns(r.type, r.name, r.values, rc?.change?.after_unknown, block, configured),
          // Without them terraform plans a sensitivity-only update forever and the state never converges.
          sensitive_attributes: sensitivePaths(rc?.change?.after_sensitive, block),
        },
      ],
    };
  });
  return {
    version: 4,
    terraform_version: show.terraform_version,
    serial: 1,
    lineage: '00000000-0000-4000-8000-000000000000',
    outputs: {},
    resources,
  };
}

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
  /** `terraform providers schema -json` resource schemas of hashicorp/aws (read once per lab). */
  schemas(): any;
  /** The folder terraform runs in (its providers are installed). */
  readonly dir: string;
  run(args: string[]): string;
  /** The state file content `plan` uses for `before` (made now if no `plan` or `prepare` made it yet). */
  priorState(before: object): string;
  dispose(): void;
}

/** One terraform working folder, initialized once, reused for every plan of a test file. */
export function planLab(): PlanLab {
  const empty = mkdtempSync(join(tmpdir(), 'review-lab-'));
  writeFileSync(
    join(empty, 'cdk.tf.json'),
    JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } }),
  );
  const tf: TerraformRun = terraformIn(empty);
  rmSync(empty, { recursive: true, force: true });
  tf.run(['init', '-input=false', '-no-color']);
  const write = (config: object) => writeFileSync(join(tf.dir, 'cdk.tf.json'), JSON.stringify(makeOffline(config), null, 2));
  const planShow = (name: string) => {
    tf.run(['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false', `-out=${name}`]);
    return JSON.parse(tf.run(['show', '-json', name]));
  };
  const statePath = join(tf.dir, 'terraform.tfstate');
  const setState = (text: string) => {
    if (text) writeFileSync(statePath, text);
    else if (existsSync(statePath)) rmSync(statePath);
  };
  let schemaCache: any;
  const schemas = () =>
    (schemaCache ??= JSON.parse(tf.run(['providers', 'schema', '-json'])).provider_schemas['registry.terraform.io/hashicorp/aws']
      .resource_schemas);
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
  const shared = runCache();
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
  /** `terraform show -json` text per JSON of a [before, after] pair planned by `prepare`. */
  const prepared = new Map<string, string>();
  let batches = 0;
  const convergeAlone = (before: object) => {
    write(before);
    keepState(
      JSON.stringify(before),
      converge((show) => stateFromPlan(show, schemas())),
    );
  };
  const runBatch = (configs: Map<string, any>) => {
    writeBatchRoot(tf.dir, configs);
    // Installs the new child modules; the provider is already there.
    tf.run(['init', '-input=false', '-no-color']);
  };
  const convergeBatch = (befores: any[]) => {
    const names = befores.map(() => `b${batches++}`);
    runBatch(new Map(names.map((n, i) => [n, befores[i]])));
    const merged = converge((show) => {
      // A module that no longer changes keeps the state it converged to, as it would alone.
      const previous: any[] = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')).resources : [];
      const resources = names.flatMap((n) => {
        const own = planOfModule(show, n);
        if (changed(own).length === 0) return previous.filter((r) => r.module === `module.${n}`);
        return stateInModule(stateFromPlan(own, schemas()), n);
      });
      return { ...(stateFromPlan(planOfModule(show, names[0]), schemas()) as any), resources };
    });
    const all = merged ? JSON.parse(merged) : { resources: [] };
    names.forEach((n, i) => {
      const own = all.resources.filter((r: any) => r.module === `module.${n}`).map(({ module: _m, ...r }: any) => r);
      keepState(JSON.stringify(befores[i]), own.length ? JSON.stringify({ ...all, resources: own }, null, 2) : '');
    });
  };
  const planBatch = (pairs: ReadonlyArray<readonly [object, object]>) => {
    const names = pairs.map(() => `a${batches++}`);
    runBatch(new Map(names.map((n, i) => [n, pairs[i][1]])));
    const priors = pairs.map(([before]) => states.get(JSON.stringify(before)) || '');
    const template = priors.find(Boolean);
    setState(
      template
        ? JSON.stringify({
            ...JSON.parse(template),
            resources: priors.flatMap((p, i) => (p ? stateInModule(JSON.parse(p), names[i]) : [])),
          })
        : '',
    );
    const show = planShow('after.tfplan');
    names.forEach((n, i) => {
      prepared.set(JSON.stringify(pairs[i]), JSON.stringify(planOfModule(show, n)));
    });
  };
  return {
    dir: tf.dir,
    run: tf.run,
    schemas,
    plan(before, after) {
      const key = JSON.stringify(before);
      if (!hasState(key)) convergeAlone(before);
      setState(states.get(key)!);
      write(after);
      const ready = prepared.get(JSON.stringify([before, after]));
      return ready ? JSON.parse(ready) : planShow('after.tfplan');
    },
    prepare(pairs) {
      const todo = pairs.filter(([b, a]) => batchable(b) && batchable(a) && !prepared.has(JSON.stringify([b, a])));
      // A before whose after cannot be batched still converges with the others.
      const befores = [...new Map(pairs.map(([b]) => [JSON.stringify(b), b])).values()].filter(
        (b) => batchable(b) && !hasState(JSON.stringify(b)),
      );
      for (const group of groupBy(befores, providerKey)) {
        if (group.length > 1) convergeBatch(group);
        else convergeAlone(group[0]);
      }
      const unique = [...new Map(todo.map((p) => [JSON.stringify(p), p])).values()];
      for (const group of groupBy(unique, ([, a]) => providerKey(a))) if (group.length > 1) planBatch(group);
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
