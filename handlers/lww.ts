/**
 * Last-write-wins versions, record classification and condition expressions (design.md,
 * "Replication protocol"). Pure: no I/O, no SDK client, so the replica writer, the application
 * helper and the tests share one definition of "newer".
 *
 * A version is `<13-digit zero-padded epoch ms>#<origin region>#<nonce>`. The fixed-width time
 * and a separator (`#`, 0x23) that sorts below every character a region or nonce may contain make
 * plain string order equal to (time, region, nonce) order, which is exactly what DynamoDB compares
 * in `#v < :v` (UTF-8 byte order, identical to JS order for ASCII).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Names of the replication metadata attributes. All are configurable per deployment. */
export interface LwwAttributeNames {
  /** Version attribute (string, LWW-ordered). @default '_v' */
  readonly version: string;
  /** Origin region attribute (string). @default '_o' */
  readonly origin: string;
  /** Tombstone marker attribute (boolean true on tombstones). @default '_d' */
  readonly deleted: string;
  /** Epoch-seconds expiry written on tombstones; must be the table's TTL attribute. @default '_ttl' */
  readonly ttl: string;
}

export const DEFAULT_ATTRIBUTE_NAMES: LwwAttributeNames = { version: '_v', origin: '_o', deleted: '_d', ttl: '_ttl' };

export type Item = Record<string, AttributeValue>;

export interface ParsedVersion {
  readonly ms: number;
  readonly region: string;
  readonly nonce: string;
}

const MAX_MS = 9_999_999_999_999;
const REGION = /^[a-z0-9-]+$/;
const NONCE = /^[0-9a-z]+$/;
const VERSION = /^(\d{13})#([a-z0-9-]+)#([0-9a-z]+)$/;

/** Builds a version string; throws on parts that would break the string order. */
export function makeVersion(ms: number, region: string, nonce: string): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS) throw new RangeError(`version time must be an integer epoch ms in 0..${MAX_MS} (got ${ms})`);
  if (!REGION.test(region)) throw new RangeError(`version region must match ${REGION} (got ${JSON.stringify(region)})`);
  if (!NONCE.test(nonce)) throw new RangeError(`version nonce must match ${NONCE} (got ${JSON.stringify(nonce)})`);
  return `${String(ms).padStart(13, '0')}#${region}#${nonce}`;
}

/** Parses a version; undefined when the string is not one (callers decide whether that is fatal). */
export function parseVersion(version: string): ParsedVersion | undefined {
  const m = VERSION.exec(version);
  return m ? { ms: Number(m[1]), region: m[2], nonce: m[3] } : undefined;
}

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value);
}

/** -1, 0 or 1: the LWW order, which is the string order by construction. */
export function compareVersions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxVersion(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareVersions(a, b) >= 0 ? a : b;
}

export interface NewVersionOptions {
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Nonce source. @default 12 random hex digits */
  readonly nonce?: () => string;
  /**
   * The new version must sort after this one (the version being replaced). Needed when the
   * local clock lags the writer that produced `after`: a replacement that sorted lower would lose
   * everywhere else while winning locally, and the regions would diverge.
   */
  readonly after?: string;
}

function randomNonce(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** A fresh version for a write made now in `region`, strictly after `options.after` if given. */
export function newVersion(region: string, options: NewVersionOptions = {}): string {
  let ms = (options.now ?? Date.now)();
  const floor = options.after === undefined ? undefined : parseVersion(options.after);
  if (floor && ms <= floor.ms) ms = floor.ms + 1;
  return makeVersion(ms, region, (options.nonce ?? randomNonce)());
}

/** Milliseconds from the version's time to `now`: the replication lag of that write. */
export function versionAgeMs(version: string, now: number): number | undefined {
  const p = parseVersion(version);
  return p ? now - p.ms : undefined;
}

/** What the replica writer of `sourceRegion` does with one stream record. */
export type Classification =
  /** A write made here with a fresh version: copy it to every target. */
  | { readonly kind: 'replicate'; readonly version: string }
  /** A replicated write arriving back: its origin already sent it everywhere. */
  | { readonly kind: 'echo'; readonly version: string }
  /** Written here without a (new) version: write it back stamped, unless something newer is there. */
  | { readonly kind: 'stamp'; readonly after: string | undefined }
  /** Hard delete made here: write a tombstone back, unless the key was written again since. */
  | { readonly kind: 'tombstone'; readonly after: string | undefined }
  /** Expired by TTL: every replica expires on its own. */
  | { readonly kind: 'ttl' }
  /** Cannot be handled now or ever (park it with the reason). */
  | { readonly kind: 'malformed'; readonly reason: string };

/** The parts of a stream record classification looks at (already decoded to SDK attribute values). */
export interface RecordView {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly userIdentity?: { readonly type?: string; readonly principalId?: string };
  readonly oldImage?: Item;
  readonly newImage?: Item;
}

type VersionRead = { ok: true; version: string | undefined } | { ok: false; reason: string };

function readVersion(image: Item | undefined, name: string, which: string): VersionRead {
  const av = image?.[name];
  if (av === undefined) return { ok: true, version: undefined };
  if (av.S === undefined || !isVersion(av.S)) {
    return { ok: false, reason: `${which} image has a malformed version attribute ${name}: ${JSON.stringify(av).slice(0, 200)}` };
  }
  return { ok: true, version: av.S };
}

export function isTtlDelete(record: RecordView): boolean {
  return record.eventName === 'REMOVE' && record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';
}

/**
 * Classifies one record for the replica writer of `sourceRegion` (design.md decision table).
 * `seenBefore` is the newest version earlier records of the same key showed: a write without a
 * version in between erases the old image's version, and a later write must still not regress.
 */
export function classifyRecord(record: RecordView, sourceRegion: string, names: LwwAttributeNames = DEFAULT_ATTRIBUTE_NAMES, seenBefore?: string): Classification {
  const oldV = readVersion(record.oldImage, names.version, 'old');
  if (record.eventName === 'REMOVE') {
    if (isTtlDelete(record)) return { kind: 'ttl' };
    return { kind: 'tombstone', after: maxVersion(oldV.ok ? oldV.version : undefined, seenBefore) };
  }
  if (!record.newImage) return { kind: 'malformed', reason: `${record.eventName} record has no NewImage (the stream view type must be NEW_AND_OLD_IMAGES)` };
  if (record.eventName === 'MODIFY' && !record.oldImage) {
    return { kind: 'malformed', reason: 'MODIFY record has no OldImage (the stream view type must be NEW_AND_OLD_IMAGES)' };
  }
  const newV = readVersion(record.newImage, names.version, 'new');
  if (!newV.ok) return { kind: 'malformed', reason: newV.reason };
  // An unparseable old version cannot be a floor; the new one decides on its own.
  const oldVersion = oldV.ok ? oldV.version : undefined;
  if (newV.version === undefined) return { kind: 'stamp', after: maxVersion(oldVersion, seenBefore) };
  const origin = record.newImage[names.origin]?.S ?? parseVersion(newV.version)?.region;
  // A replicated write only lands on something older, so it never regresses the item itself; the
  // batch's earlier versions do not count against it: it may have landed on an unversioned write,
  // whose own pending stamp (kept through echoes, see plan.ts) repairs that.
  const before = origin === sourceRegion ? maxVersion(oldVersion, seenBefore) : oldVersion;
  if (before !== undefined && compareVersions(newV.version, before) <= 0) {
    // Unchanged: written without the helper. Lower: an application wrote an older version over a
    // newer one; stamping past both repairs what would otherwise diverge.
    return { kind: 'stamp', after: before };
  }
  return origin === sourceRegion ? { kind: 'replicate', version: newV.version } : { kind: 'echo', version: newV.version };
}

/** A condition expression with its placeholders, ready to spread into a command input. */
export interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** Replica write: succeeds only when the target holds nothing versioned or an older version. */
export function newerThanTargetCondition(version: string, names: Pick<LwwAttributeNames, 'version'> = DEFAULT_ATTRIBUTE_NAMES): Condition {
  return {
    ConditionExpression: 'attribute_not_exists(#v) OR #v < :v',
    ExpressionAttributeNames: { '#v': names.version },
    ExpressionAttributeValues: { ':v': { S: version } },
  };
}

/**
 * May a self-stamp or tombstone at `version` replace what the item holds now? Yes when that is
 * no newer than `floor` (the newest version the writer saw for the key: "unchanged since"), or is
 * a REPLICATED write older than `version`: a write without a version erased the version it
 * replaced, so an older replicated write could slip in, and the stamp must beat it or the regions
 * diverge. A newer write made HERE (origin `self`) is left alone: it has its own record.
 */
function replaceable(floor: string | undefined): string {
  return `${floor === undefined ? '' : '#v <= :floor OR '}(#v < :v AND #o <> :self)`;
}

function stampValues(version: string, floor: string | undefined, self: string): Record<string, AttributeValue> {
  return { ':v': { S: version }, ':self': { S: self }, ...(floor === undefined ? {} : { ':floor': { S: floor } }) };
}

/** Self-stamp of a write made without a (new) version: the item still exists, and see replaceable(). */
export function stampCondition(keyAttribute: string, version: string, floor: string | undefined, self: string, names: Pick<LwwAttributeNames, 'version' | 'origin'> = DEFAULT_ATTRIBUTE_NAMES): Condition {
  return {
    ConditionExpression: `attribute_exists(#k) AND (attribute_not_exists(#v) OR ${replaceable(floor)})`,
    ExpressionAttributeNames: { '#k': keyAttribute, '#v': names.version, '#o': names.origin },
    ExpressionAttributeValues: stampValues(version, floor, self),
  };
}

/**
 * Tombstone for a hard delete: the key is still absent, or see replaceable(). A key written again
 * here without a version is left alone: that write has its own record and will be stamped.
 */
export function tombstoneCondition(keyAttribute: string, version: string, floor: string | undefined, self: string, names: Pick<LwwAttributeNames, 'version' | 'origin'> = DEFAULT_ATTRIBUTE_NAMES): Condition {
  return {
    ConditionExpression: `attribute_not_exists(#k) OR ${replaceable(floor)}`,
    ExpressionAttributeNames: { '#k': keyAttribute, '#v': names.version, '#o': names.origin },
    ExpressionAttributeValues: stampValues(version, floor, self),
  };
}

/** Epoch seconds at which a tombstone written at `nowMs` may expire. */
export function tombstoneExpiry(nowMs: number, ttlSeconds: number): number {
  return Math.floor(nowMs / 1000) + ttlSeconds;
}

/** Seven days: outlives 24 h stream retention plus retries and a parked record's redrive. */
export const DEFAULT_TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

/** The tombstone item that stands for a delete of `key` at `version`. */
export function tombstoneItem(key: Item, version: string, origin: string, expiresAtEpochSeconds: number, names: LwwAttributeNames = DEFAULT_ATTRIBUTE_NAMES): Item {
  return {
    ...key,
    [names.deleted]: { BOOL: true },
    [names.version]: { S: version },
    [names.origin]: { S: origin },
    [names.ttl]: { N: String(expiresAtEpochSeconds) },
  };
}

export function isTombstone(item: Item | undefined, names: Pick<LwwAttributeNames, 'deleted'> = DEFAULT_ATTRIBUTE_NAMES): boolean {
  return item?.[names.deleted]?.BOOL === true;
}
