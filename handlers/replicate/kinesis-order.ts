/**
 * Puts a key's changes from Kinesis Data Streams for DynamoDB back in order before they are
 * planned (docs/replication-protocol.md, "Kinesis"). Kinesis may deliver an item's changes out of
 * order and more than once; the writer must still see them in the order they happened, because
 * each change's version depends on what came before it. Two facts make that checkable:
 * - the change's creation time (microseconds) orders the changes of one item (AWS's advice);
 * - each change's old image is exactly what the previous change of the item left.
 * So the writer keeps, per key, a digest of what the last change it settled left, and takes a new
 * batch's changes only when the first one follows it. When it does not, an earlier change is still
 * on its way: the key fails, so Lambda delivers it again from there together with what follows it
 * in the shard, until the missing change arrives or `waitMs` passes (then it goes ahead, and the
 * change that arrives later is settled late). A change at or before the last settled one is a
 * duplicate or arrived late: it is settled like a batch delivered again, without moving the key's
 * saved state back (KeyWork.late).
 */
import { createHash } from 'crypto';
import { compareSequenceNumbers, Item } from '../lww';
import { canonicalItem } from './canonical';
import type { DecodedRecord } from '../common/decode';
import type { KeyState } from './key-plan';

/** How long a key's changes wait for an earlier one before going ahead without it. @default 60 s */
export const DEFAULT_KINESIS_WAIT_MS = 60_000;

export type KinesisKeyOrder =
  /** Settle `late` (at or before the saved position), then `fresh` in order. */
  | { readonly kind: 'go'; readonly late: DecodedRecord[]; readonly fresh: DecodedRecord[]; readonly gapAccepted: boolean }
  /** An earlier change of the key has not arrived: fail the key and keep `since`. */
  | { readonly kind: 'wait'; readonly since: number; readonly reason: string };

/** A short digest of an item (or of its absence), to compare what one change left with what the next replaced. */
export function imageDigest(image: Item | undefined): string {
  return createHash('sha256').update(canonicalItem(image)).digest('base64').slice(0, 22);
}

/** Splits a key's changes (sorted by position) against what was settled for the key before. */
export function orderKinesisKey(
  changes: readonly DecodedRecord[],
  state: KeyState | undefined,
  nowMs: number,
  waitMs: number,
): KinesisKeyOrder {
  const settled = (r: DecodedRecord) => state !== undefined && compareSequenceNumbers(r.position, state.position) <= 0;
  const late = changes.filter(settled);
  const fresh = changes.filter((r) => !settled(r));
  let expected = state?.image;
  for (const r of fresh) {
    if (expected !== undefined && imageDigest(r.oldImage) !== expected) {
      const since = state?.waitingSince ?? nowMs;
      if (nowMs - since < waitMs) {
        return {
          kind: 'wait',
          since,
          reason: `waiting for an earlier change of this key: the change made at ${r.position} µs does not follow the last one settled`,
        };
      }
      return { kind: 'go', late, fresh, gapAccepted: true };
    }
    expected = imageDigest(r.newImage);
  }
  return { kind: 'go', late, fresh, gapAccepted: false };
}
