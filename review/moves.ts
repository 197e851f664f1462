/**
 * State changes said calmly: a move keeps the object (only its address changes), a forget leaves
 * it in AWS unmanaged, an import adopts an existing one. None of them is "no changes".
 */
import { ChangeSet } from './changes';
import type { Finding } from './findings';
import { code } from './format';

export function stateFindings(set: ChangeSet): Finding[] {
  const changed = new Set(set.changes.map((c) => `${c.stack}\u0000${c.address}`));
  return (set.stateChanges ?? []).map((s) => {
    const base = { stack: s.stack, address: s.address, severity: 'notice' as const };
    const alsoChanged = changed.has(`${s.stack}\u0000${s.address}`) ? ' Its changes are listed below.' : '';
    if (s.kind === 'move')
      return {
        ...base,
        kind: 'move',
        label: 'MOVED',
        text: `from ${code(s.from ?? '?')}: the same object under a new address; nothing is destroyed or created.${alsoChanged}`,
      };
    if (s.kind === 'forget')
      return {
        ...base,
        kind: 'forget',
        label: 'FORGOTTEN',
        text: 'leaves Terraform state (`removed` block, `destroy = false`); the object stays in AWS with its data, no longer managed by this stack.',
      };
    return {
      ...base,
      kind: 'import',
      label: 'IMPORTED',
      text: `an existing object${s.importId ? ` (id ${code(s.importId)})` : ''} is adopted into state, not created.${alsoChanged}`,
    };
  });
}
