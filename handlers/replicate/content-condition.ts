/**
 * The part of a version-set-in-place condition that says the item still holds the content its
 * stream record showed (docs/replication-protocol.md, "Setting a version in place"). `_v` and `_o`
 * alone cannot say it: a copy can land twice in one region (its batch retried) with the same `_v`
 * and `_o` both times, once a later local write has lowered the item's version in between, and a
 * write made without the helper keeps the `_v`/`_o` of the copy it updated. Only the content tells
 * the copy's second landing from that write.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item, LwwAttributeNames } from '../lww';
import { canonicalItem, canonicalValue } from './canonical';

/**
 * DynamoDB allows an expression 4 KB and 300 operators (docs/replication-protocol.md, "Limits"). The
 * rest of the stamp's condition takes under 300 bytes and 12 operators; each term takes two (its
 * comparison or function, and the AND before it). Past either budget, the attributes the write
 * left unchanged go unchecked first (see `unchecked`).
 */
export const CONTENT_CONDITION_BUDGET = { bytes: 3_600, terms: 128 } as const;

export interface ContentCondition {
  /** ANDed terms, or '' when there is nothing to check. */
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  /** Attributes left out to stay within DynamoDB's expression limit. */
  readonly unchecked: number;
}

/**
 * Every attribute of `newImage` (keys and `_v`/`_o` aside) equal, and every attribute the write
 * removed (in `oldImage`, not in `newImage`) absent. The attributes the write changed come first:
 * they are what a copy landing again differs in.
 */
export function contentCondition(
  newImage: Item,
  oldImage: Item | undefined,
  keyNames: string[],
  names: LwwAttributeNames,
  /** How many times the condition uses these terms: each use takes its share of the budget. */
  uses = 1,
): ContentCondition {
  const budget = { bytes: CONTENT_CONDITION_BUDGET.bytes / uses, terms: Math.floor(CONTENT_CONDITION_BUDGET.terms / uses) };
  const skip = new Set([...keyNames, names.version, names.origin]);
  const changed = (a: string) => oldImage?.[a] === undefined || canonicalValue(oldImage[a]) !== canonicalValue(newImage[a]);
  const present = Object.keys(newImage).filter((a) => !skip.has(a));
  const removed = Object.keys(oldImage ?? {}).filter((a) => !skip.has(a) && newImage[a] === undefined);
  const terms = [
    ...present.filter(changed).map((a) => ({ a, equal: true })),
    ...removed.map((a) => ({ a, equal: false })),
    ...present.filter((a) => !changed(a)).map((a) => ({ a, equal: true })),
  ];
  const parts: string[] = [];
  const out = { names: {} as Record<string, string>, values: {} as Record<string, AttributeValue> };
  let length = 0;
  for (const [i, { a, equal }] of terms.entries()) {
    const part = equal ? `#c${i} = :c${i}` : `attribute_not_exists(#c${i})`;
    if (parts.length === budget.terms || length + part.length + 5 > budget.bytes) break;
    length += part.length + 5;
    parts.push(part);
    out.names[`#c${i}`] = a;
    if (equal) out.values[`:c${i}`] = newImage[a];
  }
  return { expression: parts.join(' AND '), ...out, unchecked: terms.length - parts.length };
}

/** Whether two items hold the same content, `_v` and `_o` aside. */
export function sameContent(a: Item, b: Item, names: LwwAttributeNames): boolean {
  const strip = (item: Item) => {
    const { [names.version]: _v, [names.origin]: _o, ...rest } = item;
    return canonicalItem(rest);
  };
  return strip(a) === strip(b);
}
