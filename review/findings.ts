/**
 * What the review understands beyond "this resource changes": moves, forgets and imports,
 * renamed construct ids, safety regressions and widened resource policies. Each finding is data
 * (kind, address, severity, text); the renderer decides where and how to print it.
 */
import { ChangeSet, cmp } from './changes';
import { renameFindings } from './renames';
import { safetyFindings } from './safety';
import { stateFindings } from './moves';
import { permissionFindings } from './widening-permissions';

export type FindingKind = 'move' | 'forget' | 'import' | 'rename' | 'safety' | 'widening';

export interface Finding {
  readonly kind: FindingKind;
  /** `alert`: belongs with the destructive warnings (and fails --fail-on-destructive); `notice`: said calmly. */
  readonly severity: 'alert' | 'notice';
  readonly stack: string;
  readonly address: string;
  /** Short label shown in bold. */
  readonly label: string;
  /** One line of Markdown. */
  readonly text: string;
  /** A change that fixes it, printed as a code block under the text. */
  readonly fix?: { readonly language: 'hcl' | 'ts'; readonly code: string };
}

/** Every finding of a change set: alerts first, then by stack and address. */
export function semanticFindings(set: ChangeSet): Finding[] {
  const rank = (f: Finding) => (f.severity === 'alert' ? 0 : 1);
  return [...renameFindings(set), ...safetyFindings(set), ...permissionFindings(set.changes), ...stateFindings(set)].sort(
    (x, y) => rank(x) - rank(y) || cmp(x.stack, y.stack) || cmp(x.address, y.address) || cmp(x.label, y.label),
  );
}
