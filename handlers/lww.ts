/**
 * Last-write-wins versions, replication metadata and the target-side condition (the protocol is
 * docs/replication-protocol.md). Pure: no I/O, no SDK client, so the replica writer, the
 * application helper and the tests share one definition of "newer".
 *
 * A version is `<13-digit zero-padded epoch ms>#<origin region>#<nonce>`. The fixed-width time
 * and a separator (`#`, 0x23) that sorts below every character a region or nonce may contain make
 * plain string order equal to (time, region, nonce) order, which is exactly what DynamoDB compares
 * in `#v < :v` (UTF-8 byte order, identical to JS order for ASCII).
 *
 * Versions minted by a replica writer (for writes made without the helper, or to lift a helper
 * write above what its region had already seen) have the nonce `w<stream sequence number>`: they
 * are a pure function of the stream record, so a record processed again, at any time, mints the
 * same version. Helper nonces are hex, so the two kinds never collide.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DEFAULT_ATTRIBUTE_NAMES } from './contract';

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
  /**
   * Set by a replica writer on an item whose content it wrote itself (a tombstone for a hard
   * delete, or a local write restored over a replicated write that should not have won): the
   * stream sequence number of the local record that content stands for. @default '_w'
   */
  readonly writtenFor: string;
}

export { DEFAULT_ATTRIBUTE_NAMES };

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
const SEQUENCE = /^\d{1,128}$/;

/** Builds a version string; throws on parts that would break the string order. */
export function makeVersion(ms: number, region: string, nonce: string): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS)
    throw new RangeError(`version time must be an integer epoch ms in 0..${MAX_MS} (got ${ms})`);
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
}

function randomNonce(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** A fresh version for an application write made now in `region` (the write helper's stamp). */
export function newVersion(region: string, options: NewVersionOptions = {}): string {
  return makeVersion((options.now ?? Date.now)(), region, (options.nonce ?? randomNonce)());
}

/** Compares two stream sequence numbers (decimal strings of any length) numerically. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  return x.length !== y.length ? (x.length < y.length ? -1 : 1) : compareVersions(x, y);
}

/** The nonce of a writer-minted version for the record at `position` (its place among its item's changes). */
export function writerNonce(position: string): string {
  if (!SEQUENCE.test(position)) throw new RangeError(`a record position is decimal digits (got ${JSON.stringify(position)})`);
  return `w${position.replace(/^0+(?=\d)/, '')}`;
}

/** Was this version minted by a replica writer (rather than by the helper or an application)? */
export function isWriterVersion(version: string | undefined): boolean {
  return version !== undefined && parseVersion(version)?.nonce.startsWith('w') === true;
}

/**
 * The version a replica writer gives a local record that needs one: the record's own time, but
 * never at or below `floor` (the newest version its region had seen for the key when the write was
 * made). Nothing here reads a clock, so the answer is the same whenever the record is processed.
 */
export function writerVersion(recordMs: number, region: string, position: string, floor: string | undefined): string {
  const nonce = writerNonce(position);
  const own = makeVersion(Math.max(0, Math.floor(recordMs)), region, nonce);
  if (floor === undefined || compareVersions(own, floor) > 0) return own;
  // One millisecond past the floor is the least version that sorts after it from any region.
  return makeVersion(parseVersion(floor)!.ms + 1, region, nonce);
}

/** The nonce of the version the backfill gives an item that never had one (docs/backfill.md). */
export const BACKFILL_NONCE = 'backfill';

/** The version of an item that existed before replication: older than any real write. */
export function backfillVersion(region: string): string {
  return makeVersion(0, region, BACKFILL_NONCE);
}

/** Milliseconds from the version's time to `now`: the replication lag of that write. */
export function versionAgeMs(version: string, now: number): number | undefined {
  const p = parseVersion(version);
  // A backfilled item's version tells nothing about when it was written: it has no lag.
  return p && p.nonce !== BACKFILL_NONCE ? now - p.ms : undefined;
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

/** Epoch seconds at which a tombstone written at `nowMs` may expire. */
export function tombstoneExpiry(nowMs: number, ttlSeconds: number): number {
  return Math.floor(nowMs / 1000) + ttlSeconds;
}

/** Seven days: outlives 24 h stream retention plus retries and a parked record's redrive. */
export const DEFAULT_TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

/** The tombstone item that stands for a delete of `key` at `version`. */
export function tombstoneItem(
  key: Item,
  version: string,
  origin: string,
  expiresAtEpochSeconds: number,
  names: LwwAttributeNames = DEFAULT_ATTRIBUTE_NAMES,
): Item {
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

/** TTL expiries arrive as REMOVE records made by the DynamoDB service principal. */
export function isTtlDelete(record: { eventName: string; userIdentity?: { type?: string; principalId?: string } }): boolean {
  return (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId?.toLowerCase() === 'dynamodb.amazonaws.com'
  );
}
