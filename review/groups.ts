/**
 * Routine updates told once for many resources: a provider `default_tags` change updates
 * `tags_all` on every resource of a stack, and hundreds of identical rows would bury the one
 * row that matters (and overflow a comment). Updates that make exactly the same attribute changes
 * form one group, shown as `345 resources: tags_all +cost-center`.
 */
import { AttributeChange, ResourceChange, pathKey } from './changes';
import { code, formatChange, formatValue } from './format';

/** Fewer identical updates than this stay as table rows. */
export const GROUP_MIN = 3;

export interface RoutineGroup {
  /** What every member changes, one line of Markdown. */
  readonly change: string;
  readonly members: ResourceChange[];
}

const TAG_MAPS = new Set(['tags', 'tags_all']);

/** True when every attribute the update changes is a tag. */
export function isTagOnly(c: ResourceChange): boolean {
  return c.action === 'update' && c.attributes.length > 0 && c.attributes.every((a) => TAG_MAPS.has(pathKey(a.path).split('.')[0]));
}

/** Splits updates into groups of identical changes (GROUP_MIN or more) and the rest. */
export function groupRoutineUpdates(changes: ResourceChange[]): { groups: RoutineGroup[]; rest: ResourceChange[] } {
  const bySignature = new Map<string, ResourceChange[]>();
  for (const c of changes) {
    if (c.action !== 'update') continue;
    const signature = describeAttributes(c.attributes);
    bySignature.set(signature, [...(bySignature.get(signature) ?? []), c]);
  }
  const groups = [...bySignature.entries()]
    .filter(([, members]) => members.length >= GROUP_MIN)
    .map(([change, members]) => ({ change, members }))
    .sort((x, y) => y.members.length - x.members.length || (x.change < y.change ? -1 : x.change > y.change ? 1 : 0));
  const grouped = new Set(groups.flatMap((g) => g.members));
  return { groups, rest: changes.filter((c) => !grouped.has(c)) };
}

/**
 * The attribute changes as one line: tag maps compactly (`tags_all` +`cost-center`=`"42"`
 * -`owner` ~`team`=`"b"`), everything else as `path`: before -> after.
 */
export function describeAttributes(attributes: readonly AttributeChange[]): string {
  const tags = new Map<string, string[]>();
  const other: string[] = [];
  for (const a of [...attributes].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    const [root, ...rest] = a.path.split('.');
    const whole = rest.length === 0 && [a.before, a.after].every((v) => absent(v) || isMap(v));
    if (!TAG_MAPS.has(root) || (rest.length === 0 && !whole)) {
      other.push(formatChange(a));
      continue;
    }
    // A whole map set or removed (`tags` from null to {...}) reads as its keys added or removed.
    const keys = whole ? [...new Set([...Object.keys(a.before ?? {}), ...Object.keys(a.after ?? {})])].sort() : [rest.join('.')];
    const at = (v: unknown, key: string) => (whole ? (v as Record<string, unknown> | null | undefined)?.[key] : v);
    for (const key of keys) {
      const [b, x] = [at(a.before, key), at(a.after, key)];
      if (!absent(b) && !absent(x) && b === x) continue;
      const step = absent(b)
        ? `+${code(key)}=${code(formatValue(x))}`
        : absent(x)
          ? `-${code(key)}`
          : `~${code(key)}=${code(formatValue(x))}`;
      tags.set(root, [...(tags.get(root) ?? []), step]);
    }
  }
  return [...[...tags.entries()].map(([root, steps]) => `\`${root}\` ${steps.join(' ')}`), ...other].join('; ');
}

const absent = (v: unknown) => v === undefined || v === null;
const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
