/**
 * Turns one batch into work per key (pure). Coalescing rules, and why they are safe:
 * - Of the local writes of a key, only the newest is copied: the older ones would lose to it at
 *   every target anyway.
 * - Only the key's last non-echo record can need a self-stamp or a tombstone: a later local
 *   record carries newer content of the item (or deletes it), which is what counts.
 * - A stamp or tombstone must sort after every version the batch showed for the key, so a chain of
 *   unversioned writes cannot hand a region a version older than one it already replaced.
 * - Echoes and TTL deletes cause no write at all; they are only counted.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { Classification, classifyRecord, compareVersions, isVersion, LwwAttributeNames, maxVersion } from '../lww';
import { DecodedRecord, DecodeError, decodeRecord } from './decode';

export interface KeyWork {
  readonly keyId: string;
  /** Every record of this key in the batch: all of them fail together. */
  readonly records: DecodedRecord[];
  /** The newest local write, to copy to every target. */
  replicate?: { readonly record: DecodedRecord; readonly version: string };
  /** The last record, when it must be stamped in place or turned into a tombstone. */
  local?: { readonly record: DecodedRecord; readonly action: Extract<Classification, { kind: 'stamp' | 'tombstone' }> };
  /** Greatest version in any image of this key in the batch. */
  floor?: string;
  echoes: number;
  ttlSkipped: number;
  /** Records of this key that can never be handled, with the reason. */
  readonly malformed: { record: DynamoDBRecord; reason: string }[];
}

export interface BatchPlan {
  readonly keys: KeyWork[];
  /** Records that could not even be decoded (no key to group them by). */
  readonly undecodable: { record: DynamoDBRecord; reason: string }[];
}

export function planBatch(records: readonly DynamoDBRecord[], sourceRegion: string, names: LwwAttributeNames): BatchPlan {
  const byKey = new Map<string, KeyWork>();
  const undecodable: BatchPlan['undecodable'] = [];
  for (const raw of records) {
    let rec: DecodedRecord;
    try {
      rec = decodeRecord(raw);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      undecodable.push({ record: raw, reason: `undecodable stream record: ${e.message}` });
      continue;
    }
    let work = byKey.get(rec.keyId);
    if (!work) {
      work = { keyId: rec.keyId, records: [], echoes: 0, ttlSkipped: 0, malformed: [] };
      byKey.set(rec.keyId, work);
    }
    work.records.push(rec);
    const c = classifyRecord(rec, sourceRegion, names, work.floor);
    for (const image of [rec.oldImage, rec.newImage]) {
      const v = image?.[names.version]?.S;
      if (isVersion(v)) work.floor = maxVersion(work.floor, v);
    }
    // A later record replaces a pending stamp or tombstone, except an echo: a replicated write
    // that slipped in over an unversioned write does not make that write any older.
    if (c.kind !== 'echo') work.local = undefined;
    switch (c.kind) {
      case 'replicate':
        if (!work.replicate || compareVersions(c.version, work.replicate.version) > 0) work.replicate = { record: rec, version: c.version };
        break;
      case 'echo':
        work.echoes++;
        break;
      case 'ttl':
        work.ttlSkipped++;
        break;
      case 'malformed':
        work.malformed.push({ record: rec.raw, reason: c.reason });
        break;
      case 'stamp':
      case 'tombstone':
        work.local = { record: rec, action: c };
        break;
    }
  }
  return { keys: [...byKey.values()], undecodable };
}
