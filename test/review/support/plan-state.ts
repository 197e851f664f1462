/**
 * The prior state of a plan lab (plan-lab.ts): what Terraform planned for the "before" config as a
 * version 4 state file, with the computed values Terraform would learn at apply (ARNs, ids) faked
 * plausibly and typed by the provider schema.
 */
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
