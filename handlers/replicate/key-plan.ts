/**
 * Turns one batch into work per key (pure). docs/replication-protocol.md says why each rule holds;
 * in short:
 * - A key's records are read in stream order, which is the order its writes happened in this
 *   region. `floor` follows the newest version the region had seen for the key at each record:
 *   every version in every image so far, plus the versions this writer gives to writes that need
 *   one. It starts from the key's saved state when an earlier batch left the item without it.
 * - Writes made without the helper (and helper writes whose version is not above the floor, made
 *   by a clock behind the one that wrote what they replaced) get a writer version: the record's own
 *   time, but above the floor. It is computed from the record alone, so a late or repeated delivery
 *   mints the same version and never outranks writes made elsewhere in the meantime.
 * - Only the key's last local record needs work: every earlier one is contained in it (the last
 *   write's content, or its delete, is what the region holds after it).
 * - Echoes (replicated writes landing here) and TTL expiries need no work; they only move the floor.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import {
  compareSequenceNumbers,
  compareVersions,
  isTombstone,
  isTtlDelete,
  isVersion,
  isWriterVersion,
  Item,
  LwwAttributeNames,
  maxVersion,
  parseVersion,
  writerVersion,
} from '../lww';
import type { DecodedRecord } from '../common/decode';
import type { Fold } from './kinesis-fold';

/** The one write a key needs after its batch. */
export type KeyAction =
  /** The last local write already carries a good version: copy it to every target. */
  | { readonly kind: 'replicate'; readonly record: DecodedRecord; readonly version: string }
  /**
   * The last local write needs a version: set `_v`/`_o` in place (metadata only; `revive` also
   * clears the tombstone marker of a tombstone the write updated, and its expiry when `dropTtl`).
   */
  | { readonly kind: 'stamp'; readonly record: DecodedRecord; readonly version: string; readonly revive?: { readonly dropTtl: boolean } }
  /** The last local write was a hard delete: write a tombstone in its place. */
  | { readonly kind: 'tombstone'; readonly record: DecodedRecord; readonly version: string };

/** What a previous batch left for a key whose item does not carry the newest version it had seen. */
export interface KeyState {
  /** The position (see DecodedRecord) of the last record it covers. */
  readonly position: string;
  /** The newest version the region had seen for the key after that record. */
  readonly floor?: string;
  /** Kinesis only: a digest of what the item held after that record, to tell whether the next change is the next one. */
  readonly image?: string;
  /** Kinesis only: epoch ms since which a change of the key has been waiting for an earlier one to arrive. */
  readonly waitingSince?: number;
  /**
   * Kinesis only: the position of the key's last settled change that an application made here
   * (not this writer, not a replicated copy). A change arriving late at or before it needs no
   * work: that application write was made over it, so it supersedes it.
   */
  readonly localPosition?: string;
  /** Kinesis only: the version the write at `localPosition` was given (kinesis-fold.ts raises it when late changes show it too low). */
  readonly localVersion?: string;
}

export interface KeyWork {
  readonly keyId: string;
  /** Every record of this key in the batch: all of them fail together. */
  readonly records: DecodedRecord[];
  readonly action?: KeyAction;
  /** The newest version the region had seen for the key after the batch's last record. */
  readonly floor?: string;
  /** The last record: what the item held after it (undefined after a delete). */
  readonly last: DecodedRecord;
  /** The position of the last record planned that an application made here (see KeyState.localPosition). */
  localPosition?: string;
  /** The version given to the write at `localPosition` (undefined when it was parked). */
  localVersion?: string;
  echoes: number;
  ttlSkipped: number;
  /** This writer's own earlier writes that something newer overtook before they were read. */
  overtaken: number;
  /** Records an earlier invocation already settled (at or below the saved state's sequence number). */
  alreadySettled: number;
  /** Records of this key that can never be handled, with the reason. */
  readonly malformed: { record: DynamoDBRecord; reason: string }[];
  /**
   * Kinesis: changes at or before the key's last settled position (a duplicate, or a change that
   * arrived after later ones were settled). Settled like a batch delivered again, repairs included,
   * but the key's saved state does not move back to them.
   */
  readonly late?: boolean;
  /**
   * Kinesis: save the floor whatever the item carries, with a digest of what the last change left
   * (so the next batch can tell whether its first change is the next one, and a late one is recognised).
   */
  readonly saveState?: { readonly image: string; readonly localPosition?: string; readonly localVersion?: string };
  /** Kinesis: the key's late changes, settled before this work. */
  readonly before?: KeyWork;
  /** Kinesis: late changes showed the last settled application write's version too low: raise it first. */
  readonly fold?: Fold;
  /**
   * Kinesis, late changes only: the key's state to save once they are settled (its floor raised by
   * a fold, or a late application write now its last one).
   */
  readonly lateState?: KeyState;
  /** Kinesis: an earlier change of the key has not arrived; fail the key and save this state. */
  readonly wait?: { readonly state: KeyState; readonly reason: string };
}

type VersionRead = { ok: true; version: string | undefined } | { ok: false; reason: string };

export function readVersion(image: Item | undefined, names: LwwAttributeNames, which = 'new'): VersionRead {
  const av = image?.[names.version];
  if (av === undefined) return { ok: true, version: undefined };
  if (av.S === undefined || !isVersion(av.S)) {
    return { ok: false, reason: `${which} image has a malformed version attribute ${names.version}: ${JSON.stringify(av).slice(0, 200)}` };
  }
  return { ok: true, version: av.S };
}

/** Plans one key's records (stream order) for the writer of region `self`. */
export function planKey(keyId: string, records: DecodedRecord[], self: string, names: LwwAttributeNames, state?: KeyState): KeyWork {
  const work: KeyWork = {
    keyId,
    records,
    last: records[records.length - 1],
    echoes: 0,
    ttlSkipped: 0,
    overtaken: 0,
    alreadySettled: 0,
    malformed: [],
  };
  if (!records.length) return work;
  let floor: string | undefined;
  let action: KeyAction | undefined;
  let settledUpTo = state?.position;
  for (const rec of records) {
    if (settledUpTo !== undefined) {
      if (compareSequenceNumbers(rec.position, settledUpTo) <= 0) {
        work.alreadySettled++;
        continue;
      }
      floor = state!.floor;
      settledUpTo = undefined;
    }
    const byApplication = (version?: string) => {
      work.localPosition = rec.position;
      work.localVersion = version;
    };
    const old = readVersion(rec.oldImage, names, 'old');
    // An unreadable old version is an application's doing; its own record was parked for it.
    if (old.ok) floor = maxVersion(floor, old.version);
    const mint = () => (floor = writerVersion(rec.approximateCreationMs, self, rec.position, floor));
    if (rec.eventName === 'REMOVE') {
      if (isTtlDelete(rec)) work.ttlSkipped++;
      else {
        action = { kind: 'tombstone', record: rec, version: mint() };
        byApplication(action.version);
      }
      continue;
    }
    const problem = shapeProblem(rec);
    const fresh = readVersion(rec.newImage, names);
    if (problem || !fresh.ok) {
      // Parked for an operator; the work of the key's earlier writes still goes ahead meanwhile.
      byApplication();
      work.malformed.push({ record: rec.raw, reason: problem ?? (fresh as { reason: string }).reason });
      continue;
    }
    const newImage = rec.newImage!;
    const origin = newImage[names.origin]?.S;
    const unchanged = fresh.version === (old.ok ? old.version : undefined) && origin === rec.oldImage?.[names.origin]?.S;
    if (fresh.version === undefined || unchanged) {
      // Written without the helper: the metadata is absent or what the replaced item carried.
      const revive = isTombstone(newImage, names) ? { dropTtl: sameAttribute(rec.oldImage, newImage, names.ttl) } : undefined;
      action = { kind: 'stamp', record: rec, version: mint(), ...(revive ? { revive } : {}) };
      byApplication(action.version);
      continue;
    }
    if ((origin ?? parseVersion(fresh.version)?.region) !== self) {
      work.echoes++;
      floor = maxVersion(floor, fresh.version);
      continue;
    }
    // A local write with a version (the helper's, or this writer's own from an earlier batch).
    // Equal to the floor means it is the version this writer gave it.
    if (floor === undefined || compareVersions(fresh.version, floor) >= 0) {
      floor = fresh.version;
      action = { kind: 'replicate', record: rec, version: fresh.version };
      if (!isWriterVersion(fresh.version)) byApplication(fresh.version);
    } else if (isWriterVersion(fresh.version)) {
      // This writer's own write for an earlier record, overtaken since by something newer the
      // region had seen: it stands for no new write, and the key's later work stays as planned.
      work.overtaken++;
    } else {
      // The helper's, from a clock behind what the region had seen.
      action = { kind: 'stamp', record: rec, version: mint() };
      byApplication(action.version);
    }
  }
  return { ...work, floor: settledUpTo !== undefined ? undefined : floor, ...(action ? { action } : {}) };
}

function shapeProblem(rec: DecodedRecord): string | undefined {
  if (!rec.newImage) return `${rec.eventName} record has no NewImage (the stream view type must be NEW_AND_OLD_IMAGES)`;
  if (rec.eventName === 'MODIFY' && !rec.oldImage) return 'MODIFY record has no OldImage (the stream view type must be NEW_AND_OLD_IMAGES)';
  return undefined;
}

function sameAttribute(a: Item | undefined, b: Item, name: string): boolean {
  return a !== undefined && JSON.stringify(a[name]) === JSON.stringify(b[name]);
}
