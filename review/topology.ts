/**
 * Where each resource runs and what it references, for the pipeline diagram. The change list says
 * what changes; it does not keep the configuration's references (a plan resolves them to values,
 * or to "known after apply" when the referenced resource is replaced) nor the provider alias that
 * decides the region. Both review modes read them here from their own input: the plan's
 * `configuration` block, or the synthesized JSON.
 */

/** What one resource references, per top-level argument, and its region when known. */
export interface ResourceContext {
  /** Region of the resource's provider configuration (or its `region` argument), when a constant. */
  readonly region?: string;
  /** Top-level argument -> addresses it references (`aws_dynamodb_table.orders`), attribute dropped. */
  readonly references: Readonly<Record<string, readonly string[]>>;
  /**
   * Constant string arguments that name or describe the resource (`name`, `function_name`,
   * `stream_view_type`...), to label and match resources the change list does not hold.
   */
  readonly names: Readonly<Record<string, string>>;
  /**
   * For a role policy whose document is readable (the synthesized JSON), the addresses its
   * statements let it write to (DynamoDB write actions, or wildcards): a replica drainer reads its
   * own table and writes the others, and the diagram must not draw the read as a write. Absent
   * when the document cannot be read statement by statement (a plan's configuration keeps only the
   * references).
   */
  readonly writes?: readonly string[];
}

const NAMING = ['name', 'function_name', 'alarm_name', 'bucket', 'stream_view_type', 'starting_position'];

/** `stack` + NUL + address -> context. */
export type Topology = Map<string, ResourceContext>;

export const topologyKey = (stack: string, address: string) => `${stack}\u0000${address}`;

const REFERENCE = /(?<![\w.])((?:module\.[\w-]+\.)*[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w-]*)(?=\.[a-z_])/g;

/** Contexts of one plan (`terraform show -json`), from its `configuration` block. */
export function topologyFromPlan(show: any, stack: string, into: Topology = new Map()): Topology {
  const providers = show?.configuration?.provider_config ?? {};
  const regionOf = (key: string | undefined) => {
    const region = providers[key ?? 'aws']?.expressions?.region?.constant_value;
    return typeof region === 'string' ? region : undefined;
  };
  const visit = (module: any, prefix: string) => {
    for (const r of module?.resources ?? []) {
      if (r.mode !== 'managed') continue;
      const references: Record<string, string[]> = {};
      for (const [arg, expr] of Object.entries<any>(r.expressions ?? {})) {
        const found = referencesIn(expr).map((ref) => prefix + ref);
        if (found.length) references[arg] = [...new Set(found)].sort();
      }
      const own = r.expressions?.region?.constant_value;
      const names = Object.fromEntries(
        NAMING.map((arg) => [arg, r.expressions?.[arg]?.constant_value]).filter(([, v]) => typeof v === 'string'),
      );
      into.set(topologyKey(stack, prefix + r.address), {
        region: typeof own === 'string' ? own : regionOf(r.provider_config_key),
        references,
        names,
      });
    }
    for (const [name, call] of Object.entries<any>(module?.module_calls ?? {})) visit(call.module, `${prefix}module.${name}.`);
  };
  visit(show?.configuration?.root_module, '');
  return into;
}

/** Resource addresses an expression block of the plan's configuration references, at any depth. */
function referencesIn(expr: unknown): string[] {
  if (Array.isArray(expr)) return expr.flatMap(referencesIn);
  if (!expr || typeof expr !== 'object') return [];
  const own = Array.isArray((expr as any).references)
    ? ((expr as any).references as string[]).filter(
        (r) => /^(module\.[^.]+\.)*[a-z][a-z0-9]*_[a-z0-9_]+\.[^.]+$/.test(r) && !/^(var|local|data)\./.test(r),
      )
    : [];
  return [...own, ...Object.entries(expr).flatMap(([k, v]) => (k === 'references' ? [] : referencesIn(v)))];
}

/** Contexts of synthesized stacks (stack name -> cdk.tf.json); later maps win, so pass base first, head last. */
export function topologyFromSynths(...synths: Map<string, any>[]): Topology {
  const into: Topology = new Map();
  for (const synth of synths) {
    for (const [stack, tf] of synth) {
      const providers = [tf?.provider?.aws ?? []].flat();
      const regionOf = (alias: string | undefined) => {
        const p = providers.find((x: any) => (alias ? x?.alias === alias : !x?.alias));
        return typeof p?.region === 'string' && !p.region.includes('${') ? p.region : undefined;
      };
      for (const [type, byName] of Object.entries<any>(tf?.resource ?? {})) {
        for (const [name, block] of Object.entries<any>(byName ?? {})) {
          const references: Record<string, string[]> = {};
          for (const [arg, value] of Object.entries<any>(block ?? {})) {
            if (arg === '//' || arg === 'provider' || arg === 'lifecycle' || arg === 'depends_on') continue;
            const found = [...JSON.stringify(value).matchAll(REFERENCE)].map((m) => m[1]).filter((r) => !/^(var|local|data)\./.test(r));
            if (found.length) references[arg] = [...new Set(found)].sort();
          }
          const alias = typeof block?.provider === 'string' ? block.provider.replace(/^aws\.?/, '') || undefined : undefined;
          const own = typeof block?.region === 'string' && !block.region.includes('${') ? block.region : undefined;
          const names = Object.fromEntries(
            NAMING.map((arg) => [arg, block?.[arg]]).filter(([, v]) => typeof v === 'string' && !v.includes('${')),
          );
          const writes = type === 'aws_iam_role_policy' ? policyWrites(block?.policy) : undefined;
          into.set(topologyKey(stack, `${type}.${name}`), { region: own ?? regionOf(alias), references, names, ...(writes && { writes }) });
        }
      }
    }
  }
  return into;
}

const WRITE_ACTION = /^(\*|dynamodb:\*|dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQLInsert|PartiQLUpdate|PartiQLDelete))$/;

/** Addresses the Allow statements of a policy document (JSON text) name as resources of a write action. */
function policyWrites(policy: unknown): string[] | undefined {
  if (typeof policy !== 'string') return undefined;
  let doc: any;
  try {
    doc = JSON.parse(policy);
  } catch {
    return undefined;
  }
  const statements = [doc?.Statement ?? []].flat();
  const found = statements
    .filter(
      (st: any) => st?.Effect === 'Allow' && [st.Action ?? []].flat().some((a: unknown) => typeof a === 'string' && WRITE_ACTION.test(a)),
    )
    .flatMap((st: any) => [...JSON.stringify(st.Resource ?? []).matchAll(REFERENCE)].map((m) => m[1]));
  return [...new Set(found)].sort();
}
