/**
 * The item as one replica target may hold it (data residency and PII): the target's omitted
 * attributes left out, its masked ones replaced by the mask value. The item's key attributes and
 * the replication metadata are never touched, so the copy stays addressable and comparable. One
 * rule for the replica writer and the backfill, so a backfilled copy equals a replicated one.
 */
import { MASKED_VALUE } from '../contract';
import type { Item, LwwAttributeNames } from '../lww';

/** What a target leaves out or masks (a writer's target, or a backfill's). */
export interface TargetAttributeRules {
  readonly omit?: readonly string[];
  readonly mask?: readonly string[];
}

/** `item` as `target` may hold it; `keys` are the item's key attributes (never dropped or masked). */
export function itemForTarget(item: Item, target: TargetAttributeRules, keys: Item, names: LwwAttributeNames): Item {
  if (!target.omit?.length && !target.mask?.length) return item;
  const protectedNames = new Set([...Object.keys(keys), ...Object.values(names)]);
  const out: Item = { ...item };
  for (const a of target.omit ?? []) if (!protectedNames.has(a)) delete out[a];
  for (const a of target.mask ?? []) if (!protectedNames.has(a) && out[a] !== undefined) out[a] = { S: MASKED_VALUE };
  return out;
}
