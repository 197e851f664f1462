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
 * Only configurations that a child module can hold are batched (`batchable`): by default one
 * unaliased aws provider and no blocks that are root-only or mean something else in a module
 * (outputs, imports, moved/removed, backends); the rest are planned on their own. Configurations
 * whose provider blocks differ (a region, default tags, aliases) still share a root: the root
 * has one provider per distinct block, and each module is given its own by name. The stack
 * plans of the module and example tests (stack-plans.ts) also batch configurations with
 * aliased providers, outputs and a backend: a module's outputs are planned but, unlike a root's,
 * not reported, and no test of theirs reads them.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { makeOffline } from './terraform';

const MODULE_KEYS = new Set(['//', 'terraform', 'provider', 'resource', 'data', 'locals', 'variable']);

/**
 * Whether `config` (synthesized or hand-written JSON) can be planned as a child module: by
 * default one unaliased aws provider and nothing a root reports that a module's plan would not
 * (outputs); `outputs: true` and `aliases: true` for callers that do not read outputs and give
 * each module its providers by alias.
 */
export function batchable(config: any, allow: { outputs?: boolean; aliases?: boolean } = {}): boolean {
  const keys = allow.outputs ? new Set([...MODULE_KEYS, 'output']) : MODULE_KEYS;
  if (!Object.keys(config).every((k) => keys.has(k))) return false;
  // A backend is the root's; a module planned without it plans the same resources.
  const settings = new Set(allow.outputs ? ['required_providers', 'backend'] : ['required_providers']);
  if (!Object.keys(config.terraform ?? {}).every((k) => settings.has(k))) return false;
  const providers = Object.keys(config.provider ?? {});
  const aws = config.provider?.aws;
  if (providers.length !== 1 || providers[0] !== 'aws' || !Array.isArray(aws) || !aws.length) return false;
  return allow.aliases || (aws.length === 1 && !aws[0].alias);
}

/** What configurations must share to be planned under one root: the provider version they require. */
export const batchKey = (config: any) => JSON.stringify(config.terraform?.required_providers);

/** A root written by `writeBatchRoot`: how its plans and states map to and from its modules. */
export interface BatchRoot {
  /** The part of a `terraform show -json` of the root that belongs to module `name`, as a root plan. */
  planOf(show: any, name: string): any;
  /** State v4 resources of a root-level state, moved into module `name` (onto the providers it is given). */
  stateIn(state: any, name: string): any[];
  /** The resources of the root's state that belong to module `name`, as a root-level state has them. */
  stateOf(resources: any[], name: string): any[];
}

/** A module's provider configurations ('aws', 'aws.<alias>') -> the root's it is given. */
type ProviderMap = Map<string, string>;

/**
 * Writes a root `cdk.tf.json` in `dir` calling one child module per entry of `configs` (folder
 * `dir/<name>`; all require the same provider version: see `batchKey`). The root holds one aws
 * provider per distinct provider block (its settings without the alias): the first is the
 * root's default, which a module with only a default provider of the same settings inherits;
 * every other module is given its providers by name (a provider process per root provider and
 * plan, far cheaper than a terraform run per configuration).
 */
export function writeBatchRoot(dir: string, configs: Map<string, any>): BatchRoot {
  const rootKeyOf = new Map<string, string>();
  const settingsOf = new Map<string, object>();
  const providersOf = new Map<string, ProviderMap>();
  const module: Record<string, object> = {};
  for (const [name, config] of configs) {
    const providers: ProviderMap = new Map();
    for (const { alias, ...settings } of config.provider?.aws ?? []) {
      let key = JSON.stringify(settings);
      // Two blocks of one configuration with the same settings stay two providers, so that
      // its plan still tells their resources apart.
      for (let n = 1; [...providers.values()].includes(rootKeyOf.get(key) ?? ''); n++) key = `${JSON.stringify(settings)}#${n}`;
      if (!rootKeyOf.has(key)) {
        const rootKey = rootKeyOf.size ? `aws.p${rootKeyOf.size}` : 'aws';
        rootKeyOf.set(key, rootKey);
        settingsOf.set(rootKey, settings);
      }
      providers.set(alias ? `aws.${alias}` : 'aws', rootKeyOf.get(key)!);
    }
    providersOf.set(name, providers);
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify(asModule(config, [...providers.keys()]), null, 2));
    const inherits = providers.size === 1 && providers.get('aws') === 'aws';
    module[name] = { source: `./${name}`, ...(inherits ? {} : { providers: Object.fromEntries(providers) }) };
  }
  const aws = [...settingsOf].map(([rootKey, settings]) => ({ ...settings, ...(rootKey === 'aws' ? {} : { alias: rootKey.slice(4) }) }));
  const first = [...configs.values()][0];
  const root = { terraform: { required_providers: first.terraform?.required_providers }, provider: { aws }, module };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(makeOffline(root), null, 2));
  return {
    planOf: (show, name) => planOfModule(show, name, providersOf.get(name)),
    stateIn: (state, name) => stateInModule(state, name, providersOf.get(name)),
    stateOf: (resources, name) =>
      resources
        .filter((r) => r.module === `module.${name}`)
        .map(({ module: _m, ...r }) => ({ ...r, provider: providerAddress(r.provider, reversed(providersOf.get(name))) })),
  };
}

/**
 * `config` as a child module given the providers `providerKeys`: without its provider blocks
 * and backend (the root's), declaring the aliases it is given.
 */
function asModule(config: any, providerKeys: string[]): any {
  const aliases = providerKeys.filter((k) => k !== 'aws');
  const entries = Object.entries<any>(config)
    .filter(([k]) => k !== 'provider' && k !== '//')
    .map(([k, v]) => {
      if (k !== 'terraform') return [k, v];
      const { backend: _backend, ...settings } = v;
      if (!aliases.length) return [k, settings];
      const required = settings.required_providers ?? {};
      return [k, { ...settings, required_providers: { ...required, aws: { ...required.aws, configuration_aliases: aliases } } }];
    });
  return Object.fromEntries(entries);
}

const DEFAULT_PROVIDERS: ProviderMap = new Map([['aws', 'aws']]);

const reversed = (providers: ProviderMap = DEFAULT_PROVIDERS): ProviderMap => new Map([...providers].map(([k, v]) => [v, k]));

/** A state's provider address (`provider["…/aws"]` or `provider["…/aws"].<alias>`) with its configuration renamed by `names`. */
function providerAddress(address: string, names: ProviderMap): string {
  const m = /^(provider\[[^\]]+\])(?:\.([^.\]]+))?$/.exec(address);
  if (!m) return address;
  const own = m[2] ? `aws.${m[2]}` : 'aws';
  const key = names.get(own) ?? own;
  return key === 'aws' ? m[1] : `${m[1]}.${key.slice(4)}`;
}

/**
 * The part of a batched `terraform show -json` that belongs to module `name`, as a root plan;
 * `providers`: the root's provider configurations the module was given.
 */
export function planOfModule(show: any, name: string, providers: ProviderMap = DEFAULT_PROVIDERS): any {
  const call = `module.${name}`;
  const local = reversed(providers);
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
      provider_config: providerConfig(show.configuration?.provider_config, providers),
      root_module: rootConfig(show.configuration?.root_module?.module_calls?.[name]?.module, local),
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

/** A child module's configuration with the provider keys a root configuration would have (`local`: root key -> the module's). */
function rootConfig(module: any, local: ProviderMap): any {
  if (!module) return {};
  const resources = (module.resources ?? []).map((r: any) => {
    if (!r.provider_config_key) return r;
    const key = r.provider_config_key.replace(/^.*:/, '');
    return { ...r, provider_config_key: local.get(key) ?? key };
  });
  return { ...module, resources };
}

/** The root's provider configurations as the module's own root would list them, under the module's names. */
function providerConfig(config: any, providers: ProviderMap): any {
  if (!config) return config;
  const own: Record<string, any> = {};
  for (const [localKey, rootKey] of providers) {
    if (!config[rootKey]) return config;
    const { alias: _alias, ...unaliased } = config[rootKey];
    own[localKey] = localKey === 'aws' ? unaliased : { ...unaliased, alias: localKey.slice(4) };
  }
  // A root that configures only aliases still lists the default provider it requires, unconfigured.
  if (!own.aws) {
    const { name, full_name, version_constraint } = Object.values<any>(own)[0] ?? {};
    if (name) own.aws = { name, full_name, ...(version_constraint ? { version_constraint } : {}) };
  }
  return own;
}

/** State v4 resources of a root-level state, moved into module `name` (onto the root's providers it is given). */
export function stateInModule(state: any, name: string, providers: ProviderMap = DEFAULT_PROVIDERS): any[] {
  return (state?.resources ?? []).map((r: any) => ({
    module: `module.${name}`,
    ...r,
    provider: providerAddress(r.provider, providers),
  }));
}
