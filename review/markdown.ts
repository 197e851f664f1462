/**
 * Renders a change set as Markdown for a pull request comment: counts, then the warnings (data
 * loss, reprocessing, IAM widening) first, then one table row per changed resource. Output
 * depends only on the changes (sorted, no timestamps), so re-running gives the same bytes and a
 * sticky comment only changes when the plan does.
 */
import { ACTION_ORDER, Action, ChangeSet, ResourceChange, sortChanges } from './changes';
import { Finding, semanticFindings } from './findings';
import { code, formatChange } from './format';
import { iamFindings } from './iam-widening';
import { destructiveWarnings } from './warnings';

/** First line of every review; the workflow finds its own sticky comment by it. */
export const REVIEW_MARKER = '<!-- cdktf-dynamodb-streams plan review -->';
const MAX_ATTRIBUTES = 8;
const VERB: Record<Action, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'destroy' };

export interface Review {
  readonly markdown: string;
  /** Number of entries in the warning section; the CLI fails on it with --fail-on-destructive. */
  readonly warnings: number;
}

function details(c: ResourceChange): string {
  if (c.action === 'create' || c.action === 'delete') return '';
  // Replace-forcing changes first, then known values, then values only known after apply.
  const rank = (a: ResourceChange['attributes'][number]) => (a.forcesReplacement ? 0 : typeof a.after === 'symbol' ? 2 : 1);
  // A replaced resource gets fresh computed values anyway; listing them all hides the reason.
  const hidden = c.action === 'replace' ? c.attributes.filter((a) => !a.forcesReplacement && typeof a.after === 'symbol') : [];
  const attrs = c.attributes
    .filter((a) => !hidden.includes(a))
    .sort((x, y) => rank(x) - rank(y) || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const shown = attrs.slice(0, MAX_ATTRIBUTES).map((a) => formatChange(a) + (a.forcesReplacement ? ' **(forces replacement)**' : ''));
  if (attrs.length > MAX_ATTRIBUTES) shown.push(`… and ${attrs.length - MAX_ATTRIBUTES} more`);
  if (hidden.length) shown.push(`(${hidden.length} computed values known after apply)`);
  return shown.join('<br>');
}

export function renderReview(set: ChangeSet, title = 'Terraform change review'): Review {
  const changes = sortChanges(set.changes);
  const multiStack = new Set(changes.map((c) => c.stack)).size > 1;
  const where = (stack: string, address: string) => (multiStack ? `\`${stack}\` ${code(address)}` : code(address));
  const count = (a: Action) => changes.filter((c) => c.action === a).length;

  const warnings = destructiveWarnings(changes).map((w) => `- **${w.label}** ${where(w.stack, w.address)}: ${w.text}`);
  const iam = iamFindings(changes).map(
    (f) =>
      `- **${f.kind === 'widened' ? 'IAM WIDENED' : 'IAM UNKNOWN UNTIL APPLY'}** ${where(f.stack, f.address)} \`${f.attribute}\`: ${f.details.join('; ')}.`,
  );
  const findings = semanticFindings(set);
  const listed = (f: Finding) => `- **${f.label}** ${where(f.stack, f.address)}: ${f.text}${fixBlock(f)}`;
  const alerts = [...warnings, ...iam, ...findings.filter((f) => f.severity === 'alert').map(listed)];
  const notices = findings.filter((f) => f.severity === 'notice').map(listed);

  const lines = [REVIEW_MARKER, `## ${title}`, ''];
  lines.push(
    set.source === 'terraform plan'
      ? '_Source: `terraform plan`._'
      : '_Source: diff of two synths, without a plan: replace vs update is decided from the replace-forcing arguments of hashicorp/aws 5.100.0; values that depend on new or replaced resources show as known after apply._',
    '',
  );
  lines.push(
    `**${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to destroy.**`,
    '',
  );
  lines.push(`### ⚠️ Destructive or widening changes (${alerts.length})`, '');
  lines.push(
    ...(alerts.length
      ? alerts
      : ['None: no table, stream, mapping, replica or queue is replaced or destroyed, and no IAM policy grants more.']),
    '',
  );
  if (notices.length) lines.push(`### State changes (${notices.length})`, '', ...notices, '');
  lines.push('### Changes', '');
  if (changes.length === 0) lines.push(notices.length ? 'No infrastructure changes.' : 'No changes.');
  else {
    lines.push(
      multiStack ? '| Action | Stack | Resource | Changes |' : '| Action | Resource | Changes |',
      multiStack ? '|---|---|---|---|' : '|---|---|---|',
    );
    for (const a of ACTION_ORDER) {
      for (const c of changes.filter((x) => x.action === a)) {
        lines.push(
          multiStack
            ? `| ${VERB[a]} | \`${c.stack}\` | ${code(c.address)} | ${details(c)} |`
            : `| ${VERB[a]} | ${code(c.address)} | ${details(c)} |`,
        );
      }
    }
  }
  return { markdown: lines.join('\n') + '\n', warnings: alerts.length };
}

/** A fix under its list item: a fenced block indented into the item. */
function fixBlock(f: Finding): string {
  if (!f.fix) return '';
  const body = [`\`\`\`${f.fix.language}`, ...f.fix.code.split('\n'), '```'].map((l) => `  ${l}`).join('\n');
  return `\n\n${body}\n`;
}
