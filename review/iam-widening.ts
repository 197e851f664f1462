/**
 * Finds IAM changes that grant more: a policy that gains actions, resources or principals, loses
 * a condition or a Deny, or gains a wildcard. Compares the before/after policy documents of IAM
 * policies, role policies and trust policies (resource policies of queues and topics too).
 * A document Terraform only knows after apply cannot be compared: that is said, not guessed.
 */
import { ResourceChange, UNKNOWN, cmp } from './changes';
import { documentValue } from './hcl-expression';

/** Attributes holding policy documents, per resource type (`inline_policy[].policy` handled apart). */
const POLICY_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_iam_role_policy: ['policy'],
  aws_iam_policy: ['policy'],
  aws_iam_role: ['assume_role_policy'],
  aws_iam_user_policy: ['policy'],
  aws_iam_group_policy: ['policy'],
  aws_sqs_queue_policy: ['policy'],
  aws_sns_topic_policy: ['policy'],
  aws_sqs_queue: ['policy'],
  aws_sns_topic: ['policy'],
  aws_kms_key: ['policy'],
  aws_kms_key_policy: ['policy'],
  aws_s3_bucket_policy: ['policy'],
  aws_s3_bucket: ['policy'],
  aws_dynamodb_resource_policy: ['policy'],
  aws_kinesis_resource_policy: ['policy'],
  aws_secretsmanager_secret_policy: ['policy'],
};

/** Key policies: `Resource: "*"` there means the key the policy is attached to, not every resource. */
const SELF_RESOURCE: Readonly<Record<string, string>> = { aws_kms_key: '(this key)', aws_kms_key_policy: '(this key)' };

/** The one wildcard AWS itself requires (ListStreams has no resource-level permissions). */
const REQUIRED_WILDCARDS = new Set(['dynamodb:liststreams on *']);

export interface IamFinding {
  readonly stack: string;
  readonly address: string;
  readonly attribute: string;
  /** `widened`: grants more than before; `unknown`: the new document is only known after apply. */
  readonly kind: 'widened' | 'unknown';
  readonly details: string[];
}

interface Grant {
  effect: string;
  principal: string;
  action: string;
  resource: string;
  condition: string;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principals(p: unknown): string[] {
  if (p === undefined) return [''];
  if (typeof p === 'string') return [p];
  return Object.keys(p as object)
    .sort()
    .flatMap((k) => list((p as any)[k]).map((v) => `${k}:${v}`));
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson((v as any)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** Every (effect, principal, action, resource, condition) a document states. */
function grantsOf(doc: any): Grant[] {
  const out: Grant[] = [];
  for (const s of Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : []) {
    const actions = s.NotAction !== undefined ? list(s.NotAction).map((a) => `NOT ${a}`) : list(s.Action);
    const resources =
      s.NotResource !== undefined ? list(s.NotResource).map((r) => `NOT ${r}`) : s.Resource === undefined ? [''] : list(s.Resource);
    const condition = s.Condition ? sortedJson(s.Condition) : '';
    for (const principal of principals(s.NotPrincipal !== undefined ? { NOT: s.NotPrincipal } : s.Principal))
      for (const action of actions)
        for (const resource of resources) out.push({ effect: s.Effect ?? 'Allow', principal, action, resource, condition });
  }
  return out;
}

/** IAM wildcard match (`*`, `?`); actions are case-insensitive. */
function matches(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()|{}[\]]/g, '\\$&')))
        .join('') +
      '$',
    caseInsensitive ? 'i' : '',
  );
  return re.test(value);
}

function covers(b: Grant, a: Grant): boolean {
  return (
    b.effect === a.effect &&
    (b.principal === a.principal || matches(b.principal, a.principal, false)) &&
    (b.condition === '' || b.condition === a.condition) &&
    (b.action === a.action || matches(b.action, a.action, true)) &&
    (b.resource === a.resource || matches(b.resource, a.resource, false))
  );
}

const isWildcard = (g: Grant) =>
  !REQUIRED_WILDCARDS.has(`${g.action.toLowerCase()} on ${g.resource}`) &&
  (/\*/.test(g.action) || g.resource === '*' || isAnyone(g.principal) || wildcardName(g.resource));

const isAnyone = (principal: string) => /(^|:)\*$/.test(principal);

/** ARN resource types whose name is the next segment (`table/<name>`, `function:<name>`). */
const TYPED = new Set([
  'table',
  'stream',
  'function',
  'role',
  'policy',
  'user',
  'group',
  'key',
  'alias',
  'log-group',
  'alarm',
  'secret',
  'parameter',
  'rule',
  'event-bus',
  'layer',
]);

/**
 * A wildcard where the resource's name goes: `table/*`, `table/orders-*`, `function:*`, a queue
 * `*`, any account. A wildcard below the name (`table/orders/stream/*`, `table/orders/index/*`,
 * `bucket/*`) stays inside one named resource and is not flagged.
 */
export function wildcardName(resource: string): boolean {
  const m = /^arn:[^:]+:[^:]+:[^:]*:([^:]*):(.*)$/.exec(resource);
  if (!m) return false;
  if (m[1] === '*') return true;
  const segments = m[2].split(/[:/]/);
  const name = TYPED.has(segments[0]) && segments.length > 1 ? segments[1] : segments[0];
  return name.includes('*');
}

/** The AWS account a principal names (`AWS:123456789012`, `AWS:arn:aws:iam::123456789012:root`). */
export function accountOf(principal: string): string | undefined {
  const m = /^(?:AWS:)?(?:arn:aws[\w-]*:(?:iam|sts)::(\d{12}):|(\d{12})$)/.exec(principal);
  return m?.[1] ?? m?.[2];
}

/**
 * The accounts the change set lives in: the account that most ARNs in it name (ties: all of
 * them), principals of policy documents left out since they are what is being judged. A
 * principal in any other account is "another account". Empty when no ARN says.
 */
export function homeAccounts(changes: ResourceChange[]): Set<string> {
  const counts = new Map<string, number>();
  const count = (text: string) => {
    for (const m of text.matchAll(/arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  };
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const doc: any = v.includes('Statement') ? documentValue(v) : undefined;
      const statements = doc && typeof doc === 'object' ? [doc.Statement ?? []].flat() : undefined;
      if (statements) count(JSON.stringify(statements.map(({ Principal, NotPrincipal, ...rest }: any) => rest)));
      else count(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const c of changes) walk([c.before, c.after]);
  const max = Math.max(0, ...counts.values());
  return new Set([...counts].filter(([, n]) => n === max).map(([a]) => a));
}

const isForeign = (g: Grant, home: Set<string>) => {
  const account = accountOf(g.principal);
  return account !== undefined && home.size > 0 && !home.has(account);
};

function principalNote(gs: Grant[], home: Set<string>): string {
  if (gs.some((g) => isAnyone(g.principal))) return ' — **anyone**';
  const foreign = gs.find((g) => isForeign(g, home));
  return foreign ? ` — **another account** \`${accountOf(foreign.principal)}\`` : '';
}

function describe(grants: Grant[], verb: string, home: Set<string>): string[] {
  const groups = new Map<string, Grant[]>();
  for (const g of grants) {
    const key = `${g.resource}\u0000${g.principal}\u0000${g.condition}`;
    groups.set(key, [...(groups.get(key) ?? []), g]);
  }
  return [...groups.entries()]
    .sort(([x], [y]) => cmp(x, y))
    .map(([, gs]) => {
      const g = gs[0];
      const actions = [...new Set(gs.map((x) => x.action))]
        .sort()
        .map((a) => `\`${a}\``)
        .join(', ');
      const on = g.resource ? ` on \`${g.resource}\`` : '';
      const who = g.principal ? ` to \`${g.principal}\`` : '';
      const cond = g.condition ? ` when ${g.condition}` : '';
      const wild = gs.some((x) => isWildcard(x) && !isAnyone(x.principal)) ? ' — **wildcard**' : '';
      return `${verb} ${actions}${on}${who}${cond}${principalNote(gs, home)}${wild}`;
    });
}

/** Findings for one document change; `before` undefined means the resource is new. */
function compareDocuments(
  before: unknown,
  after: unknown,
  created: boolean,
  home: Set<string>,
  self?: string,
): { kind: IamFinding['kind']; details: string[] } | undefined {
  if (after === UNKNOWN)
    return created
      ? undefined
      : { kind: 'unknown', details: ['policy document is unknown until apply: review the configuration change by hand'] };
  const a = documentValue(after);
  if (a === undefined)
    return { kind: 'unknown', details: ['policy document could not be read (neither JSON nor jsonencode): review it by hand'] };
  const b = created ? undefined : documentValue(before);
  const scoped = (gs: Grant[]) => (self ? gs.map((g) => (g.resource === '*' ? { ...g, resource: self } : g)) : gs);
  const beforeGrants = b === undefined ? [] : scoped(grantsOf(b));
  const afterGrants = scoped(grantsOf(a));
  const gained = afterGrants.filter((g) => g.effect === 'Allow' && !beforeGrants.some((x) => covers(x, g)));
  const reported = created ? gained.filter((g) => isWildcard(g) || isForeign(g, home)) : gained;
  const lostDenies = beforeGrants.filter((g) => g.effect === 'Deny' && !afterGrants.some((x) => x.effect === 'Deny' && covers(x, g)));
  const details = [
    ...describe(reported, created ? 'new policy allows' : 'allows', home),
    ...describe(lostDenies, 'no longer denies', home),
  ];
  return details.length ? { kind: 'widened', details } : undefined;
}

/** Every IAM widening in a change list, sorted. */
export function iamFindings(changes: ResourceChange[]): IamFinding[] {
  const out: IamFinding[] = [];
  const home = homeAccounts(changes);
  for (const c of changes) {
    if (c.action === 'delete' || !c.after) continue;
    const created = c.action === 'create';
    const docs: [string, unknown, unknown][] = (POLICY_ATTRIBUTES[c.type] ?? []).map((attr) => [attr, c.before?.[attr], c.after![attr]]);
    if (c.type === 'aws_iam_role') {
      const inline = (v: unknown) => new Map((Array.isArray(v) ? v : []).map((p: any) => [String(p?.name ?? ''), p?.policy]));
      const b = inline(c.before?.inline_policy);
      for (const [name, doc] of inline(c.after.inline_policy)) docs.push([`inline_policy "${name}"`, b.get(name), doc]);
    }
    for (const [attribute, before, after] of docs) {
      // Resource types whose policy is optional hold "" when none is set.
      if (after === undefined || after === null || after === '') continue;
      // No document before ("" on types whose policy is optional) is a new document: an unknown one is not an alert.
      const fresh = created || before === undefined || before === null || before === '';
      const r = compareDocuments(before, after, fresh, home, SELF_RESOURCE[c.type]);
      if (r) out.push({ stack: c.stack, address: c.address, attribute, ...r });
    }
    if (c.type === 'aws_iam_role_policy_attachment' && c.action !== 'update') {
      out.push({
        stack: c.stack,
        address: c.address,
        attribute: 'policy_arn',
        kind: 'widened',
        details: [`attaches \`${c.after.policy_arn === UNKNOWN ? '(known after apply)' : String(c.after.policy_arn)}\``],
      });
    }
  }
  return out.sort((x, y) => cmp(x.stack, y.stack) || cmp(x.address, y.address) || cmp(x.attribute, y.attribute));
}
