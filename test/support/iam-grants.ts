/**
 * What the roles of a synthesized stack grant, as "<action> <resource ARN>" pairs, and what the
 * Lambda service calls with a function's role for the configuration synthesized for it. Terraform
 * references in a policy (`${aws_dynamodb_table.X.arn}`) are replaced by the ARN that resource
 * will have, read from the same JSON: its name, the region of its provider, and one account for
 * the whole stack (ACCOUNT: a stack is synthesized without one). test/support/recording-endpoint.ts
 * names the resources of recorded calls the same way, so grants and calls compare as strings.
 */

/** The account every resource of a synthesized stack, and every recording endpoint, stands in. */
export const ACCOUNT = '123456789012';

/** A stream ARN names a table's stream of the moment; grants and calls are compared per table. */
export function canonicalArn(arn: string): string {
  return arn.replace(/(:table\/[^/]+\/stream\/).+$/, '$1*');
}

export function pair(action: string, resource: string): string {
  return `${action} ${canonicalArn(resource)}`;
}

/** Region of a resource: its `provider` alias, or the default aws provider. */
export function regionOf(json: any, resource: any): string {
  const alias = resource.provider ? String(resource.provider).replace(/^aws\./, '') : undefined;
  const provider = [json.provider?.aws ?? []].flat().find((p: any) => p.alias === alias);
  if (!provider?.region) throw new Error(`no aws provider ${alias ?? '(default)'} with a region in the stack`);
  return provider.region;
}

/** The value a reference (`${type.id.attr}`, possibly followed by a literal suffix) or a literal stands for. */
export function resolveValue(json: any, value: string): string {
  const m = /^\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}([^$]*)$/.exec(value);
  if (!m) {
    if (value.includes('${')) throw new Error(`cannot resolve ${value}: not one reference`);
    return value;
  }
  const [, type, id, attr, suffix] = m;
  const r = json.resource?.[type]?.[id];
  if (!r) throw new Error(`${value}: no ${type}.${id} in the stack`);
  const region = regionOf(json, r);
  const literal = (v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`${type}.${id}: expected a literal name, got ${JSON.stringify(v)}`);
    return resolveValue(json, v);
  };
  const base: Record<string, () => string> = {
    'aws_dynamodb_table.arn': () => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${literal(r.name)}`,
    'aws_dynamodb_table.stream_arn': () => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${literal(r.name)}/stream/*`,
    'aws_dynamodb_table.name': () => literal(r.name),
    'aws_sqs_queue.arn': () => `arn:aws:sqs:${region}:${ACCOUNT}:${literal(r.name)}`,
    'aws_sqs_queue.url': () => `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${literal(r.name)}`,
    'aws_sqs_queue.name': () => literal(r.name),
    'aws_sns_topic.arn': () => `arn:aws:sns:${region}:${ACCOUNT}:${literal(r.name)}`,
    'aws_kinesis_stream.arn': () => `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${literal(r.name)}`,
    // Terraform appends 26 unique characters to a bucket_prefix; the placeholder stands for them.
    'aws_s3_bucket.arn': () => `arn:aws:s3:::${r.bucket !== undefined ? literal(r.bucket) : `${literal(r.bucket_prefix)}<unique-suffix>`}`,
    'aws_lambda_function.arn': () => `arn:aws:lambda:${region}:${ACCOUNT}:function:${literal(r.function_name)}`,
    'aws_lambda_function.function_name': () => literal(r.function_name),
    'aws_lambda_alias.arn': () => `arn:aws:lambda:${region}:${ACCOUNT}:function:${literal(r.function_name)}:${literal(r.name)}`,
    'aws_cloudwatch_log_group.arn': () => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${literal(r.name)}`,
    'aws_cloudwatch_log_group.name': () => literal(r.name),
    'aws_iam_role.arn': () => `arn:aws:iam::${ACCOUNT}:role/${literal(r.name)}`,
    'aws_iam_role.name': () => literal(r.name),
  };
  const resolve = base[`${type}.${attr}`];
  if (!resolve) throw new Error(`${value}: resolving ${type}.${attr} is not implemented`);
  return resolve() + suffix;
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/**
 * Every pair the role's policies allow. Fails on what pairs cannot express (Deny, NotAction,
 * NotResource, conditions) and on managed policies attached to the role, which would grant
 * more than its own policies show.
 */
export function roleGrants(json: any, roleId: string): Set<string> {
  const roleName = `\${aws_iam_role.${roleId}.name}`;
  const attached = Object.entries(json.resource?.aws_iam_role_policy_attachment ?? {}).filter(
    ([, a]: [string, any]) => a.role === roleName,
  );
  if (attached.length) throw new Error(`role ${roleId} has managed policies attached: ${attached.map(([id]) => id).join(', ')}`);
  if (json.resource.aws_iam_role[roleId].managed_policy_arns?.length) throw new Error(`role ${roleId} lists managed_policy_arns`);
  const grants = new Set<string>();
  for (const [id, p] of Object.entries(json.resource?.aws_iam_role_policy ?? {}) as [string, any][]) {
    if (p.role !== roleName) continue;
    for (const s of JSON.parse(p.policy).Statement) {
      const odd = ['NotAction', 'NotResource', 'Condition', 'Principal'].filter((k) => k in s);
      if (s.Effect !== 'Allow' || odd.length)
        throw new Error(`${id}: statement ${s.Sid ?? ''} is not a plain Allow (${odd.join(', ') || s.Effect})`);
      for (const action of list(s.Action)) for (const resource of list(s.Resource)) grants.add(pair(action, resolveValue(json, resource)));
    }
  }
  return grants;
}

/** The role (resource id) of a function. */
export function roleOfFunction(json: any, functionId: string): string {
  const role = json.resource.aws_lambda_function[functionId].role;
  const m = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(role);
  if (!m) throw new Error(`function ${functionId}: role ${role} is not a role of this stack`);
  return m[1];
}

/** The role (resource id) whose ARN is `arn` (a role this stack creates under a literal name). */
export function roleIdByArn(json: any, arn: string): string {
  const name = arn.split(':role/')[1];
  const found = Object.entries(json.resource.aws_iam_role).filter(([, r]: [string, any]) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one role named ${name}, found ${found.length}`);
  return found[0][0];
}

/** Resource ids of a type whose logical id contains `part` (exactly one). */
export function idOf(json: any, type: string, part: string): string {
  const ids = Object.keys(json.resource?.[type] ?? {}).filter((id) => id.includes(part));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching ${part}, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}

/** `a` minus `b`, sorted: for messages that show exactly what differs. */
export function minus(a: Iterable<string>, b: Set<string>): string[] {
  return [...new Set(a)].filter((x) => !b.has(x)).sort();
}
