/**
 * Many plans in one terraform run. Every terraform command costs about 5-8 s of CPU, nearly all
 * of it loading the 600 MB hashicorp/aws provider and its schema, whatever the configuration
 * holds; so the plan lab puts N single-stack configurations side by side as child modules of one
 * root (module `<name>` = one configuration), plans that root once, and cuts the
 * `terraform show -json` back into N documents shaped as if each configuration had been planned
 * on its own. The resources, their actions and values are the real provider's decision either
 * way: a child module that inherits the root's provider plans its resources exactly as the root
 * would.
 *
 * Only configurations that a child module can hold unchanged are batched (`batchable`): one
 * unaliased aws provider, and no blocks that are root-only or mean something else in a module
 * (outputs, imports, moved/removed, backends). The rest are planned on their own. Configurations
 * whose provider blocks differ (a region, default tags) still share a root: each other provider
 * block becomes an aliased provider of the root, passed to its modules as their `aws`.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { makeOffline } from '../../support/terraform';

const MODULE_KEYS = new Set(['//', 'terraform', 'provider', 'resource', 'data', 'locals', 'variable']);

/** Whether `config` (synthesized or hand-written JSON) can be planned as a child module. */
export function batchable(config: any): boolean {
  if (!Object.keys(config).every((k) => MODULE_KEYS.has(k))) return false;
  if (!Object.keys(config.terraform ?? {}).every((k) => k === 'required_providers')) return false;
  const providers = Object.keys(config.provider ?? {});
  const aws = config.provider?.aws;
  return providers.length === 1 && providers[0] === 'aws' && Array.isArray(aws) && aws.length === 1 && !aws[0].alias;
}

/** What configurations must share to be planned under one root: the provider version they require. */
export const batchKey = (config: any) => JSON.stringify(config.terraform?.required_providers);

/** A root written by `writeBatchRoot`: how its plans and states map to and from its modules. */
export interface BatchRoot {
  /** The part of a `terraform show -json` of the root that belongs to module `name`, as a root plan. */
  planOf(show: any, name: string): any;
  /** State v4 resources of a root-level state, moved into module `name` (onto the provider it is given). */
  stateIn(state: any, name: string): any[];
  /** The resources of the root's state that belong to module `name`, as a root-level state has them. */
  stateOf(resources: any[], name: string): any[];
}

/**
 * Writes a root `cdk.tf.json` in `dir` calling one child module per entry of `configs` (folder
 * `dir/<name>`; all require the same provider version: see `batchKey`). Modules inherit the
 * provider of the first configuration; one whose provider block differs gets an aliased copy of
 * its own (an extra provider process per plan, far cheaper than a terraform run of its own).
 */
export function writeBatchRoot(dir: string, configs: Map<string, any>): BatchRoot {
  const first = [...configs.values()][0];
  const module: Record<string, object> = {};
  const aliases = new Map<string, string>([[JSON.stringify(first.provider), '']]);
  const aliasOf = new Map<string, string>();
  for (const [name, config] of configs) {
    mkdirSync(join(dir, name), { recursive: true });
    const { provider: _inherited, '//': _metadata, ...own } = config;
    writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify(own, null, 2));
    const key = JSON.stringify(config.provider);
    if (!aliases.has(key)) aliases.set(key, `p${aliases.size}`);
    aliasOf.set(name, aliases.get(key)!);
    module[name] = { source: `./${name}`, ...(aliases.get(key) ? { providers: { aws: `aws.${aliases.get(key)}` } } : {}) };
  }
  const aws = [...aliases].map(([key, alias]) => ({ ...JSON.parse(key).aws[0], ...(alias ? { alias } : {}) }));
  const root = { terraform: { required_providers: first.terraform?.required_providers }, provider: { aws }, module };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(makeOffline(root), null, 2));
  return {
    planOf: (show, name) => planOfModule(show, name, aliasOf.get(name)),
    stateIn: (state, name) => stateInModule(state, name, aliasOf.get(name)),
    stateOf: (resources, name) =>
      resources
        .filter((r) => r.module === `module.${name}`)
        .map(({ module: _m, ...r }) => ({ ...r, provider: r.provider.replace(/\]\.[^.\]]+$/, ']') })),
  };
}

/**
 * The part of a batched `terraform show -json` that belongs to module `name`, as a root plan;
 * `alias`: the root's provider the module was given, if not the default one.
 */
export function planOfModule(show: any, name: string, alias = ''): any {
  const call = `module.${name}`;
  const strip = (address: string) => (address.startsWith(`${call}.`) ? address.slice(call.length + 1) : address);
  const changes = (list: any[] | undefined) =>
    list?.filter((c) => c.module_address === call).map(({ module_address: _m, ...c }) => withAddresses(c, strip));
  const values = (root: any) => {
    const child = (root?.child_modules ?? []).find((m: any) => m.address === call);
    const resource = (r: any) => ({
      ...r,
      address: strip(r.address),
      ...(r.depends_on ? { depends_on: r.depends_on.map(strip) } : {}),
    });
    return { resources: (child?.resources ?? []).map(resource) };
  };
  const out = {
    ...show,
    planned_values: { ...show.planned_values, root_module: values(show.planned_values?.root_module) },
    resource_changes: changes(show.resource_changes) ?? [],
    configuration: {
      ...show.configuration,
      provider_config: providerConfig(show.configuration?.provider_config, alias),
      root_module: rootConfig(show.configuration?.root_module?.module_calls?.[name]?.module),
    },
  };
  if (show.resource_drift) out.resource_drift = changes(show.resource_drift);
  if (show.prior_state)
    out.prior_state = {
      ...show.prior_state,
      values: { ...show.prior_state.values, root_module: values(show.prior_state.values?.root_module) },
    };
  const relevant = (show.relevant_attributes ?? []).filter((a: any) => a.resource.startsWith(`${call}.`));
  if (relevant.length) out.relevant_attributes = relevant.map((a: any) => ({ ...a, resource: strip(a.resource) }));
  else delete out.relevant_attributes;
  // A root plan lists its variables' values; planned without -var, a module's are its defaults.
  const variables = Object.entries<any>(show.configuration?.root_module?.module_calls?.[name]?.module?.variables ?? {});
  if (variables.length) out.variables = Object.fromEntries(variables.map(([k, v]) => [k, { value: v.default }]));
  return out;
}

function withAddresses(change: any, strip: (a: string) => string): any {
  const out = { ...change, address: strip(change.address) };
  if (change.previous_address) out.previous_address = strip(change.previous_address);
  return out;
}

/** A child module's configuration with the provider keys a root configuration would have. */
function rootConfig(module: any): any {
  if (!module) return {};
  const resources = (module.resources ?? []).map((r: any) => ({
    ...r,
    provider_config_key: r.provider_config_key?.replace(/^.*:/, '').replace(/^aws\..*$/, 'aws'),
  }));
  return { ...module, resources };
}

/** The root's provider configurations as the module's own root would list them: its one `aws`. */
function providerConfig(config: any, alias: string): any {
  const own = config?.[alias ? `aws.${alias}` : 'aws'];
  if (!own) return config;
  const { alias: _alias, ...unaliased } = own;
  return { aws: unaliased };
}

/** State v4 resources of a root-level state, moved into module `name` (onto provider `aws.<alias>`). */
export function stateInModule(state: any, name: string, alias = ''): any[] {
  return (state?.resources ?? []).map((r: any) => ({
    module: `module.${name}`,
    ...r,
    ...(alias ? { provider: `${r.provider}.${alias}` } : {}),
  }));
}
