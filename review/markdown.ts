/**
 * Renders a change set as Markdown for one pull request comment: counts, the alerts ordered by
 * harm across stacks (always shown), a Mermaid picture of the changed pipeline, one row per
 * changed resource, and routine updates grouped in a collapsed section. The body never exceeds
 * the comment limit: what does not fit is counted in a notice. Output depends only on the changes
 * (sorted, no timestamps), so re-running gives the same bytes and a sticky comment only changes
 * when the plan does.
 */
import { Alert, alertsOf, harmRank } from './alerts';
import { Budget, GITHUB_COMMENT_LIMIT, commentSize } from './budget';
import { ACTION_ORDER, Action, ChangeSet, ResourceChange, cmp } from './changes';
import { pipelineDiagram } from './diagram';
import { semanticFindings } from './findings';
import { code, formatChange } from './format';
import { RoutineGroup, describeAttributes, groupRoutineUpdates, isTagOnly } from './groups';
import { Topology } from './topology';

/** The hidden first line a workflow finds its own sticky comment by; `key` tells several reviews of one PR apart. */
export function reviewMarker(key = 'default'): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]{0,99}$/.test(key) || key.includes('--'))
    throw new Error(
      `comment key ${JSON.stringify(key)}: use 1-100 letters, digits and . _ / : - (no "--"), starting with a letter or digit`,
    );
  return `<!-- cdktf-dynamodb-streams-review:${key} -->`;
}

/** Marker of the default key. */
export const REVIEW_MARKER = reviewMarker();
const MAX_ATTRIBUTES = 8;
/** More rows than this go into a collapsed section. */
const OPEN_ROWS = 25;
/** Room kept for the cut notice and the closing lines. */
const NOTICE_ROOM = 600;
const VERB: Record<Action, string> = { create: 'create', update: 'update', replace: 'replace', delete: 'destroy' };

export interface ReviewOptions {
  readonly title?: string;
  /** Sticky comment key written into the hidden marker. */
  readonly key?: string;
  /** Size limit of the body (GitHub's comment limit by default); 0 for none. */
  readonly maxChars?: number;
  /** References and regions for the diagram; without it the diagram matches by names only. */
  readonly topology?: Topology;
  /** Findings made by other checks, ordered with the built-in ones by harm. */
  readonly extraAlerts?: Alert[];
}

export interface Review {
  readonly markdown: string;
  /** Number of alerts (severity `alert`); the CLI fails on it with --fail-on-destructive. */
  readonly warnings: number;
  /** Parts left out to fit the size limit, as said in the notice; empty when nothing was cut. */
  readonly cut: string[];
}

export function renderReview(set: ChangeSet, options: ReviewOptions = {}): Review {
  const title = options.title ?? 'Terraform change review';
  const marker = reviewMarker(options.key);
  // Moves, forgets and imports are notices: said in their own section, never with the alerts.
  const findings = semanticFindings(set);
  const alerts = alertsOf(set.changes, [...(options.extraAlerts ?? []), ...findings.filter((f) => f.severity === 'alert')]);
  const notices = findings.filter((f) => f.severity === 'notice');
  const warnings = alerts.filter((a) => a.severity === 'alert').length;
  const budget = new Budget(options.maxChars ?? GITHUB_COMMENT_LIMIT);
  const calm = notices.length ? undefined : calmLine(set.changes, alerts, title);
  if (calm) return { markdown: fitCalm(marker, calm, set.changes, budget), warnings, cut: [] };

  const multiStack = new Set(set.changes.map((c) => c.stack)).size > 1;
  const where = (stack: string, address: string) => (multiStack ? `\`${stack}\` ${code(address)}` : code(address));
  const count = (a: Action) => set.changes.filter((c) => c.action === a).length;
  const head = [
    marker,
    `## ${title}`,
    '',
    set.source === 'terraform plan'
      ? '_Source: `terraform plan`._'
      : '_Source: diff of two synths, without a plan: replace vs update is decided from the replace-forcing arguments of hashicorp/aws 5.100.0; values that depend on new or replaced resources show as known after apply._',
    '',
    `**${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to destroy.**`,
    '',
  ];
  for (const line of head) budget.take(line);
  budget.reserve(NOTICE_ROOM);
  const cut: string[] = [];
  const body: string[] = [];
  const add = (lines: string[]) => budget.takeAll(lines) && body.push(...lines) > 0;

  add([`### ⚠️ Destructive or widening changes (${warnings})`, '']);
  if (alerts.length === 0)
    add(['None: no table, stream, mapping, replica, queue or bucket is replaced or destroyed, and no policy grants more.']);
  const shownAlerts = alerts.filter((a) => add(alertLines(a, where)));
  if (shownAlerts.length < alerts.length) cut.push(`${alerts.length - shownAlerts.length} of ${alerts.length} alerts`);
  add(['']);
  if (notices.length) {
    add([`### State changes (${notices.length})`, '']);
    const shownNotices = notices.filter((n) => add(alertLines(n, where)));
    if (shownNotices.length < notices.length) cut.push(`${notices.length - shownNotices.length} of ${notices.length} state changes`);
    add(['']);
  }

  const diagram = pipelineDiagram(set.changes, alerts, options.topology);
  if (diagram && !add(['### Pipeline', '', ...diagram, ''])) cut.push('the pipeline diagram');

  const { groups, rest } = groupRoutineUpdates(
    set.changes.filter((c) => !alerts.some((a) => a.stack === c.stack && a.address === c.address)),
  );
  const rows = byHarm(
    [...set.changes.filter((c) => !rest.includes(c) && alerts.some((a) => a.address === c.address && a.stack === c.stack)), ...rest],
    alerts,
  );
  // The group lines (one per group, however many resources) are worth more than the last rows: keep their room.
  const groupRoom = groups.length ? groupSkeleton(groups).reduce((n, l) => n + commentSize(l) + 1, 0) : 0;
  const groupsKept = budget.reserve(groupRoom);
  if (rows.length) {
    const collapsed = rows.length > OPEN_ROWS;
    add([`### Changes (${rows.length})`, '']);
    if (collapsed) add([`<details><summary>${rows.length} changed resources, the harmful first</summary>`, '']);
    add(
      multiStack ? ['| Action | Stack | Resource | Changes |', '|---|---|---|---|'] : ['| Action | Resource | Changes |', '|---|---|---|'],
    );
    const shown = rows.filter((c) =>
      add([
        multiStack
          ? `| ${VERB[c.action]} | \`${c.stack}\` | ${code(c.address)} | ${details(c)} |`
          : `| ${VERB[c.action]} | ${code(c.address)} | ${details(c)} |`,
      ]),
    );
    if (shown.length < rows.length) cut.push(`${rows.length - shown.length} of ${rows.length} change rows`);
    add(collapsed ? ['', '</details>', ''] : ['']);
  }
  if (groupsKept) budget.release(groupRoom);
  if (groups.length) addGroups(groups, add, multiStack, cut);
  if (set.changes.length === 0) add([notices.length ? 'No infrastructure changes.' : 'No resource changes.']);

  const notice = cut.length
    ? [
        `> [!WARNING]`,
        `> Cut to fit one comment (${(options.maxChars ?? GITHUB_COMMENT_LIMIT).toLocaleString('en-US')} characters): ${cut.join(', ')} not shown. Run the review with \`--max-chars 0\` (or read the job's output file) for everything.`,
        '',
      ]
    : [];
  return { markdown: [...head, ...notice, ...body].join('\n').replace(/\n+$/, '') + '\n', warnings, cut };
}

function alertLines(a: Alert, where: (stack: string, address: string) => string): string[] {
  const line = `- **${a.label}** ${where(a.stack, a.address)}${a.attribute ? ` \`${a.attribute}\`` : ''}: ${a.text}`;
  if (!a.fix) return [line];
  return [line, '', `  \`\`\`${a.fix.language}`, ...a.fix.code.split('\n').map((l) => `  ${l}`), '  ```', ''];
}

/** Resources with alerts first, worst alert first; then by action (replace, destroy, update, create), stack, address. */
function byHarm(changes: ResourceChange[], alerts: Alert[]): ResourceChange[] {
  const worst = (c: ResourceChange) =>
    Math.min(...alerts.filter((a) => a.stack === c.stack && a.address === c.address).map(harmRank), Number.MAX_SAFE_INTEGER);
  return [...changes].sort(
    (a, b) =>
      worst(a) - worst(b) ||
      ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) ||
      cmp(a.stack, b.stack) ||
      cmp(a.address, b.address),
  );
}

/** The lines of the routine section without the address lists: heading, one line per group, closing. */
function groupSkeleton(groups: RoutineGroup[]): string[] {
  const total = groups.reduce((n, g) => n + g.members.length, 0);
  return [
    `### Routine updates (${total})`,
    '',
    `<details><summary>${total} resources in ${groups.length} group${groups.length > 1 ? 's' : ''} of identical updates</summary>`,
    '',
    ...groups.map(groupLine),
    '',
    '</details>',
    '',
  ];
}

function groupLine(g: RoutineGroup): string {
  const types = [...new Set(g.members.map((m) => m.type))].sort().map((t) => `\`${t}\` ×${g.members.filter((m) => m.type === t).length}`);
  return `- **${g.members.length} resources** (${types.join(', ')}): ${g.change}`;
}

function addGroups(groups: RoutineGroup[], add: (lines: string[]) => boolean, multiStack: boolean, cut: string[]): void {
  add(groupSkeleton(groups).slice(0, 4));
  let hidden = 0;
  let unlisted = 0;
  for (const g of groups) {
    if (!add([groupLine(g)])) {
      hidden += g.members.length;
      continue;
    }
    const names = [...g.members]
      .sort((x, y) => cmp(x.stack, y.stack) || cmp(x.address, y.address))
      .map((m) => (multiStack ? `\`${m.stack}\` ${code(m.address)}` : code(m.address)));
    let listed = names.length;
    while (
      listed > 0 &&
      !add([`  ${names.slice(0, listed).join(', ')}${listed < names.length ? `, … and ${names.length - listed} more` : ''}`])
    )
      listed = listed > 40 ? Math.floor(listed / 2) : listed - 10;
    unlisted += names.length - Math.max(listed, 0);
  }
  if (hidden) cut.push(`${hidden} grouped updates`);
  // One entry for all groups: the notice has a fixed room (NOTICE_ROOM).
  if (unlisted) cut.push(`${unlisted} addresses in the routine groups`);
  add(['', '</details>', '']);
}

/** One line for a plan that changes nothing, or only tags; undefined when the full review is needed. */
function calmLine(changes: ResourceChange[], alerts: Alert[], title: string): string | undefined {
  if (alerts.length) return undefined;
  if (changes.length === 0) return `**${title}:** ✅ no changes.`;
  if (!changes.every(isTagOnly)) return undefined;
  const kinds = [...new Set(changes.map((c) => describeAttributes(c.attributes)))];
  const what = kinds.length === 1 ? kinds[0] : `${kinds.length} different tag changes`;
  return `**${title}:** ✅ only tags change: ${changes.length} resource${changes.length > 1 ? 's' : ''}, ${what}. Nothing is created, replaced or destroyed.`;
}

/** The calm line, and for tags-only plans the resources in a collapsed list, as far as the budget allows. */
function fitCalm(marker: string, calm: string, changes: ResourceChange[], budget: Budget): string {
  const lines = [marker, calm];
  for (const l of lines) budget.take(l);
  if (changes.length === 0) return lines.join('\n') + '\n';
  const open = ['', '<details><summary>Resources</summary>', ''];
  const close = ['', '</details>'];
  if (![...open, ...close].every((l) => budget.take(l))) return lines.join('\n') + '\n';
  const items: string[] = [];
  const sorted = [...changes].sort((x, y) => cmp(x.stack, y.stack) || cmp(x.address, y.address));
  for (const c of sorted) {
    const item = `- ${code(c.address)}${new Set(changes.map((x) => x.stack)).size > 1 ? ` (\`${c.stack}\`)` : ''}: ${describeAttributes(c.attributes)}`;
    if (!budget.take(item)) {
      items.push(`- … and ${sorted.length - items.length} more`);
      break;
    }
    items.push(item);
  }
  return [...lines, ...open, ...items, ...close].join('\n') + '\n';
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
