/**
 * The first pass over a batch (batch.ts processes what it returns): records -> changes, grouped by
 * item key, in-batch duplicates (the same change delivered twice: a Kinesis put retried) merged
 * into one change whose records settle together. Kinesis changes keep their images as text until
 * they are processed (change.ts `settle`), all in one string decoded for the whole batch, so the
 * batch waiting here costs the garbage collector no parsed image and no string per record.
 */
import { DecodeError } from '../common/decode';
import { Change, changeKeyOf, decodeBatch, identityOf, settle, SourceRecord, StreamViewType, toPendingChange } from './change';

/**
 * A change to process and the record that carries it (and any in-batch duplicates' records);
 * `index` is the record's. An item's changes are chained in record order from the first (`next`).
 * A class, not an object literal: V8 moves a literal's allocations to the old generation once
 * most of them outlive a scavenge (allocation-site pretenuring), which a batch held until it is
 * processed does, and the toolkit then ran at half speed in some processes and not in others.
 */
export class Entry<T, K> {
  /** Records of in-batch duplicates of the change (a Kinesis put retried), which settle with it. */
  duplicates: SourceRecord[] | undefined;
  /** The item's next change in the batch. */
  next: Entry<T, K> | undefined;
  /** The chain's last entry (kept up to date on its first). */
  last: Entry<T, K>;

  constructor(
    public change: Change<T, K>,
    public record: SourceRecord,
    public index: number,
  ) {
    this.last = this;
  }

  /** Every record that carries the change, the first first. */
  records(): SourceRecord[] {
    return this.duplicates ? [this.record, ...this.duplicates] : [this.record];
  }
}

/** A batch read: each item's changes chained in record order (by key id: the first), and the records that cannot be read (by index). */
export interface ReadBatch<T, K> {
  readonly byKey: Map<string, Entry<T, K>>;
  readonly unreadable: number[];
}

export function readBatch<T, K>(records: readonly SourceRecord[], view: StreamViewType | undefined): ReadBatch<T, K> {
  const unreadable: number[] = [];
  const byKey = new Map<string, Entry<T, K>>();
  // Duplicates are found by what every delivery of a change shares and is already a string (the
  // Kinesis change's eventID, the stream's sequence number), then compared by identity; the
  // identity itself is built only for those, and for changes whose key collides with another's.
  const byChangeKey = new Map<string, Entry<T, K>>();
  const collided = new Map<string, Entry<T, K>>();
  const together = decodeBatch(records);
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    let change: Change<T, K>;
    try {
      change = toPendingChange<T, K>(record, view, together, index);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // Reported failed: Lambda retries it and then sends it to the on-failure destination.
      unreadable.push(index);
      continue;
    }
    const changeKey = changeKeyOf(change);
    const first = byChangeKey.get(changeKey);
    const same = first && (identityOf(first.change) === identityOf(change) ? first : collided.get(identityOf(change)));
    if (same) {
      mergeDuplicate(same, change, index, byKey, unreadable);
      continue;
    }
    const entry = new Entry(change, record, index);
    if (first) collided.set(identityOf(change), entry);
    else byChangeKey.set(changeKey, entry);
    append(byKey, entry);
  }
  return { byKey, unreadable };
}

/** An item's entries in chain order. */
export function chained<T, K>(first: Entry<T, K>): Entry<T, K>[] {
  const list: Entry<T, K>[] = [];
  for (let e: Entry<T, K> | undefined = first; e; e = e.next) list.push(e);
  return list;
}

/** Adds the entry at the end of its item's chain. */
function append<T, K>(byKey: Map<string, Entry<T, K>>, entry: Entry<T, K>): void {
  entry.next = undefined;
  entry.last = entry;
  const first = byKey.get(entry.change.keyId);
  if (!first) byKey.set(entry.change.keyId, entry);
  else first.last = first.last.next = entry;
}

/** Parses what the change left as text; false when its record turns out malformed (a DecodeError). */
export function readable(change: Change<unknown, unknown>): boolean {
  try {
    settle(change);
    return true;
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return false;
  }
}

/**
 * A second record of a change already in the batch settles with it, so both must be readable, as
 * if decoded whole on arrival: an unreadable newcomer fails alone (nothing merged); an unreadable
 * first record fails alone and the newcomer takes its place, at the end of its key's list (where
 * it would have been had the first never decoded).
 */
function mergeDuplicate<T, K>(
  same: Entry<T, K>,
  change: Change<T, K>,
  index: number,
  byKey: Map<string, Entry<T, K>>,
  unreadable: number[],
): void {
  if (!readable(change)) {
    unreadable.push(index);
    return;
  }
  if (!readable(same.change)) {
    unreadable.push(same.index);
    const keyId = same.change.keyId;
    const others = chained(byKey.get(keyId)!).filter((e) => e !== same);
    byKey.delete(keyId);
    for (const e of others) append(byKey, e);
    same.change = change;
    same.record = change.record;
    same.duplicates = undefined;
    same.index = index;
    append(byKey, same);
    return;
  }
  (same.duplicates ??= []).push(change.record); // a Kinesis duplicate in the same batch: one change, both records settle together
}
