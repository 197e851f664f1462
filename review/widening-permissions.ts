/**
 * Lambda permissions (`aws_lambda_permission`) are resource policy statements written one
 * argument at a time: who (`principal`) may call what (`action`), limited by `source_arn`,
 * `source_account` or `principal_org_id`. A new or replaced permission widens access when it lets
 * anyone in, lets another account in, or lets a service in on behalf of any account's resource
 * (no source limit: the confused-deputy case). Narrowing stays calm.
 */
import { ResourceChange, UNKNOWN } from './changes';
import type { Finding } from './findings';
import { accountOf, homeAccounts } from './iam-widening';
import { code } from './format';

export function permissionFindings(changes: ResourceChange[]): Finding[] {
  const home = homeAccounts(changes);
  const out: Finding[] = [];
  for (const c of changes) {
    if (c.type !== 'aws_lambda_permission' || (c.action !== 'create' && c.action !== 'replace') || !c.after) continue;
    const now = risks(c.after, home);
    const before = c.action === 'replace' && c.before ? risks(c.before, home) : [];
    const gained = now.filter((r) => !before.includes(r));
    if (!gained.length) continue;
    const a = c.after;
    out.push({
      kind: 'widening',
      severity: 'alert',
      stack: c.stack,
      address: c.address,
      label: 'PERMISSION WIDENED',
      text: `${c.action === 'create' ? 'new permission' : 'permission now'} lets ${code(String(a.principal))} call ${code(String(a.action ?? 'lambda:InvokeFunction'))} on ${code(show(a.function_name))}: ${gained.join('; ')}.`,
    });
  }
  return out;
}

const show = (v: unknown) => (v === UNKNOWN ? '(known after apply)' : String(v));
const set = (v: unknown) => v === UNKNOWN || (typeof v === 'string' && v !== '');

/** The ways one permission is wide, as phrases (compared as strings between before and after). */
function risks(p: Record<string, unknown>, home: Set<string>): string[] {
  const principal = String(p.principal ?? '');
  const limited = set(p.source_arn) || set(p.source_account) || set(p.principal_org_id);
  const out: string[] = [];
  if (principal === '*') out.push(limited ? '**any principal** that meets the source condition' : '**anyone** (no source condition)');
  const account = accountOf(principal);
  if (account && home.size > 0 && !home.has(account)) out.push(`**another account** \`${account}\``);
  if (/\.amazonaws\.com$/.test(principal) && !limited)
    out.push("no `source_arn` or `source_account`: the service may call it on behalf of **any account**'s resources (confused deputy)");
  if (typeof p.source_arn === 'string' && /\*/.test(p.source_arn)) out.push(`\`source_arn\` is a **wildcard** (\`${p.source_arn}\`)`);
  return out;
}
