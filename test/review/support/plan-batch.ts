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
 * (outputs, imports, moved/removed, backends). The rest are planned on their own.
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

/** What configurations must share to be planned under one root: the provider they inherit. */
export const providerKey = (config: any) => JSON.stringify([config.provider, config.terraform?.required_providers]);

/**
 * Writes a root `cdk.tf.json` in `dir` calling one child module per entry of `configs` (folder
 * `dir/<name>`), all inheriting the provider of the first configuration (they share it: see
 * `providerKey`).
 */
export function writeBatchRoot(dir: string, configs: Map<string, any>): void {
  const first = [...configs.values()][0];
  const module: Record<string, object> = {};
  for (const [name, config] of configs) {
    mkdirSync(join(dir, name), { recursive: true });
    const { provider: _inherited, '//': _metadata, ...own } = config;
    writeFileSync(join(dir, name, 'cdk.tf.json'), JSON.stringify(own, null, 2));
    module[name] = { source: `./${name}` };
  }
  const root = { terraform: { required_providers: first.terraform?.required_providers }, provider: first.provider, module };
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(makeOffline(root), null, 2));
}

/** The part of a batched `terraform show -json` that belongs to module `name`, as a root plan. */
export function planOfModule(show: any, name: string): any {
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
    configuration: { ...show.configuration, root_module: rootConfig(show.configuration?.root_module?.module_calls?.[name]?.module) },
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
  const resources = (module.resources ?? []).map((r: any) => ({ ...r, provider_config_key: r.provider_config_key?.replace(/^.*:/, '') }));
  return { ...module, resources };
}

/** State v4 resources of a root-level state, moved into module `name`. */
export function stateInModule(state: any, name: string): any[] {
  return (state?.resources ?? []).map((r: any) => ({ module: `module.${name}`, ...r }));
}
