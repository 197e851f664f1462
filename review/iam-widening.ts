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
};

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
  (/\*/.test(g.action) || g.resource === '*' || /(^|:)\*$/.test(g.principal) || g.resource.endsWith(':*'));

function describe(grants: Grant[], verb: string): string[] {
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
      const wild = gs.some(isWildcard) ? ' — **wildcard**' : '';
      return `${verb} ${actions}${on}${who}${cond}${wild}`;
    });
}

/** Findings for one document change; `before` undefined means the resource is new. */
function compareDocuments(before: unknown, after: unknown, created: boolean): { kind: IamFinding['kind']; details: string[] } | undefined {
  if (after === UNKNOWN)
    return created
      ? undefined
      : { kind: 'unknown', details: ['policy document is unknown until apply: review the configuration change by hand'] };
  const a = documentValue(after);
  if (a === undefined)
    return { kind: 'unknown', details: ['policy document could not be read (neither JSON nor jsonencode): review it by hand'] };
  const b = created ? undefined : documentValue(before);
  const beforeGrants = b === undefined ? [] : grantsOf(b);
  const afterGrants = grantsOf(a);
  const gained = afterGrants.filter((g) => g.effect === 'Allow' && !beforeGrants.some((x) => covers(x, g)));
  const reported = created ? gained.filter(isWildcard) : gained;
  const lostDenies = beforeGrants.filter((g) => g.effect === 'Deny' && !afterGrants.some((x) => x.effect === 'Deny' && covers(x, g)));
  const details = [...describe(reported, created ? 'new policy allows' : 'allows'), ...describe(lostDenies, 'no longer denies')];
  return details.length ? { kind: 'widened', details } : undefined;
}

/** Every IAM widening in a change list, sorted. */
export function iamFindings(changes: ResourceChange[]): IamFinding[] {
  const out: IamFinding[] = [];
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
      if (after === undefined || after === null) continue;
      const r = compareDocuments(before, after, created || before === undefined || before === null);
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
