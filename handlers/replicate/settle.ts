/**
 * Settles a key's last local write in its own region (docs/replication-protocol.md, "Settling a
 * local write"):
 * - a write without a version gets one by a metadata-only UpdateItem (never by writing its image
 *   back: the item may have moved on), allowed while the item still holds that write (its `_v`/`_o`
 *   and its content: content-condition.ts), or a later local write with a lower version (which saw
 *   this one, so the higher version is also its due);
 * - a hard delete becomes a tombstone while the key is still absent;
 * - when that is refused, the item that refused it decides: something at least as new, or a later
 *   local write, supersedes this one (that write has its own record); a replicated write older than
 *   this one, or this writer's own repair for an earlier record, landed after this write and must
 *   not win: the write's image (or tombstone) is put back over exactly that item. A local write
 *   that came in between and is lost that way is itself a later record and is put back in turn.
 */
import { PutItemCommand, PutItemCommandInput, UpdateItemCommand, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  compareSequenceNumbers,
  compareVersions,
  isTombstone,
  isVersion,
  isWriterVersion,
  Item,
  parseVersion,
  tombstoneExpiry,
  tombstoneItem,
} from '../lww';
import { canonicalItem } from './canonical';
import { contentCondition, sameContent } from './content-condition';
import { classifyFailure, describeError, isItemRejection } from '../common/sdk-errors';
import type { ExecuteDeps } from './execute-deps';
import { park } from './park';
import { Transient } from './transient';
import { itemSize, MAX_ITEM_BYTES } from '../common/item-size';
import type { KeyAction } from './key-plan';

type InPlace = Exclude<KeyAction, { kind: 'replicate' }>;

export interface Settled {
  /** This writer's write landed (`previous` is the item it replaced). */
  readonly landed: boolean;
  readonly previous?: Item;
  /**
   * What the item holds after this writer's write, as its own stream record will show it: copied to
   * the targets right away, so a write that needed a version reaches them in this invocation.
   */
  readonly item?: Item;
}

type Verdict = 'done' | 'superseded' | 'repair' | 'retry' | 'lineage';

interface Write {
  readonly put?: PutItemCommandInput;
  readonly update?: UpdateItemCommandInput;
  /** Puts a write back over an item that should not have won (counted apart from stamps). */
  readonly repair: boolean;
}

/** Settles one write in place; throws Transient for what a retry may fix. */
export async function settleInPlace(action: InPlace, deps: ExecuteDeps): Promise<Settled> {
  const rec = action.record;
  let write: Write | undefined = await firstWrite(action, deps);
  for (let round = 0; round < 6; round++) {
    if (!write) return { landed: false };
    try {
      const out = write.update
        ? await deps.source.send(new UpdateItemCommand(write.update))
        : await deps.source.send(new PutItemCommand(write.put!));
      if (write.repair) deps.tally.repaired++;
      else deps.tally.selfStamped++;
      const previous = out.Attributes as Item | undefined;
      return { landed: true, previous, item: write.put ? write.put.Item : afterUpdate(previous, action, deps) };
    } catch (e) {
      const kind = classifyFailure(e);
      // The source table itself refusing every write (access, KMS, missing) cannot be parked
      // around: the key is retried, as an outage of the source region would be.
      if (kind === 'transient' || (kind === 'blocked' && !isItemRejection(e)))
        throw new Transient(`writing ${rec.sourceTable} in place: ${describeError(e)}`);
      if (kind === 'blocked') {
        await park(deps, rec.raw, `writing in place was rejected: ${describeError(e)}`);
        return { landed: false };
      }
      const current = (e as { Item?: Item }).Item;
      const verdict = judge(current, action, deps);
      if (verdict === 'done') return { landed: false };
      if (verdict === 'superseded') {
        deps.tally.stampSuperseded++;
        return { landed: false };
      }
      if (verdict === 'retry') continue;
      if (verdict === 'lineage') {
        deps.tally.contentCheckOverridden++;
        deps.log('warn', "DynamoDB found the item's content unequal to the record's image, which is equal to it", {
          record: rec.sequenceNumber,
        });
        write = await firstWrite(action, deps, false);
        continue;
      }
      if (deps.outOfOrder) {
        await park(
          deps,
          rec.raw,
          `a replicated write with version ${current?.[deps.config.names.version]?.S} landed over this write before it was settled, and the record came back out of stream order (redrive), so putting it back could undo later writes: check the item and write it again if it should win`,
        );
        return { landed: false };
      }
      write = await repairWrite(action, current!, deps);
    }
  }
  throw new Transient(`the item of record ${rec.sequenceNumber} kept changing while it was being settled`);
}

function judge(current: Item | undefined, action: InPlace, deps: ExecuteDeps): Verdict {
  const { names, sourceRegion: self } = deps.config;
  // Absent: deleted after this write (a stamp), or a race with this very check (a tombstone).
  if (!current) return action.kind === 'stamp' ? 'superseded' : 'retry';
  const held = current[names.version]?.S;
  const image = action.record.newImage;
  if (action.kind === 'stamp' && held === image?.[names.version]?.S && current[names.origin]?.S === image?.[names.origin]?.S) {
    // Same `_v`/`_o` (or none), other content: a later write made without the helper, or the copy
    // this write updated landing again after a later local write. Either is a later record, which
    // settles it. The same content means DynamoDB judged equal values unequal: set the version on
    // `_v`/`_o` alone.
    return sameContent(current, image!, names) ? 'lineage' : 'superseded';
  }
  // No version (or not ours to read): a later write made without the helper; its record settles it.
  if (held === undefined || !isVersion(held)) return 'superseded';
  const order = compareVersions(held, action.version);
  if (order === 0) return 'done';
  if (order > 0) return 'superseded';
  const origin = current[names.origin]?.S ?? parseVersion(held)?.region;
  if (origin !== self) return 'repair';
  const writtenFor = current[names.writtenFor]?.S;
  const earlierRepair = writtenFor !== undefined && isWriterVersion(held) && compareSequenceNumbers(writtenFor, action.record.position) < 0;
  return earlierRepair ? 'repair' : 'superseded';
}

async function firstWrite(action: InPlace, deps: ExecuteDeps, checkContent = true): Promise<Write | undefined> {
  const { names, sourceRegion: self } = deps.config;
  const rec = action.record;
  if (action.kind === 'tombstone') {
    return {
      repair: false,
      put: {
        TableName: rec.sourceTable,
        Item: { ...tombstone(action, deps), [names.writtenFor]: { S: rec.position } },
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': rec.keyAttribute },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }
  const image = rec.newImage!;
  const size = itemSize({ ...image, [names.version]: { S: action.version }, [names.origin]: { S: self } });
  if (size > MAX_ITEM_BYTES) {
    await park(deps, rec.raw, `item would be ${size} bytes with replication metadata, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`);
    return undefined;
  }
  const heldVersion = image[names.version]?.S;
  const heldOrigin = image[names.origin]?.S;
  const content = checkContent
    ? contentCondition(image, rec.oldImage, Object.keys(rec.keys), names, action.revive ? 2 : 1)
    : { expression: '', names: {}, values: {}, unchecked: 0 };
  if (content.unchecked)
    deps.log('warn', 'item has too many attributes to check them all before setting its version', {
      record: rec.sequenceNumber,
      unchecked: content.unchecked,
    });
  const lineage =
    (heldVersion === undefined
      ? 'attribute_not_exists(#v)'
      : `#v = :heldV AND ${heldOrigin === undefined ? 'attribute_not_exists(#o)' : '#o = :heldO'}`) +
    (content.expression ? ` AND ${content.expression}` : '');
  const removals = ['#w', ...(action.revive ? ['#d'] : []), ...(action.revive?.dropTtl ? ['#t'] : [])];
  // A later local write with a lower version saw this one, so this version is also its due. But
  // reviving also removes the tombstone marker (and its expiry), which is this write's alone: the
  // later write takes it only when it holds this write's content (this writer set an earlier
  // record's version on it), never a later delete or an update that set its own expiry.
  const later = '#o = :self AND #v < :v AND attribute_not_exists(#w)';
  const laterLocal = action.revive ? (content.expression ? `${later} AND ${content.expression}` : undefined) : later;
  return {
    repair: false,
    update: {
      TableName: rec.sourceTable,
      Key: rec.keys,
      UpdateExpression: `SET #v = :v, #o = :self REMOVE ${removals.join(', ')}`,
      // DynamoDB refuses redundant parentheses: one alternative goes without.
      ConditionExpression: laterLocal
        ? `attribute_exists(#k) AND ((${lineage}) OR (${laterLocal}))`
        : `attribute_exists(#k) AND ${lineage}`,
      ExpressionAttributeNames: {
        '#k': rec.keyAttribute,
        '#v': names.version,
        '#o': names.origin,
        '#w': names.writtenFor,
        ...(action.revive ? { '#d': names.deleted } : {}),
        ...(action.revive?.dropTtl ? { '#t': names.ttl } : {}),
        ...content.names,
      },
      ExpressionAttributeValues: {
        ...content.values,
        ':v': { S: action.version },
        ':self': { S: self },
        ...(heldVersion !== undefined ? { ':heldV': { S: heldVersion } } : {}),
        ...(heldVersion !== undefined && heldOrigin !== undefined ? { ':heldO': { S: heldOrigin } } : {}),
      },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Puts the write back over exactly `current` (same version, origin and repair marker). */
async function repairWrite(action: InPlace, current: Item, deps: ExecuteDeps): Promise<Write | undefined> {
  const { names, sourceRegion: self } = deps.config;
  const rec = action.record;
  const item: Item =
    action.kind === 'tombstone'
      ? tombstone(action, deps)
      : { ...revived(rec.newImage!, action, names), [names.version]: { S: action.version }, [names.origin]: { S: self } };
  item[names.writtenFor] = { S: rec.position };
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    await park(
      deps,
      rec.raw,
      `putting this write back over a replicated write would need ${size} bytes, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`,
    );
    return undefined;
  }
  const origin = current[names.origin]?.S;
  const marker = current[names.writtenFor]?.S;
  return {
    repair: true,
    put: {
      TableName: rec.sourceTable,
      Item: item,
      ConditionExpression: `#v = :cv AND ${origin === undefined ? 'attribute_not_exists(#o)' : '#o = :co'} AND ${marker === undefined ? 'attribute_not_exists(#w)' : '#w = :cw'}`,
      ExpressionAttributeNames: { '#v': names.version, '#o': names.origin, '#w': names.writtenFor },
      ExpressionAttributeValues: {
        ':cv': current[names.version]!,
        ...(origin !== undefined ? { ':co': { S: origin } } : {}),
        ...(marker !== undefined ? { ':cw': { S: marker } } : {}),
      },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

function tombstone(action: InPlace, deps: ExecuteDeps): Item {
  const { names, sourceRegion: self, tombstoneTtlSeconds } = deps.config;
  return tombstoneItem(action.record.keys, action.version, self, tombstoneExpiry(deps.now(), tombstoneTtlSeconds), names);
}

/**
 * The item a version set in place left: what it replaced (ALL_OLD) with the version and origin set
 * and `_w` removed (and the tombstone marker and expiry, for a write that revived a tombstone),
 * exactly the UpdateItem of firstWrite.
 */
function afterUpdate(previous: Item | undefined, action: InPlace, deps: ExecuteDeps): Item | undefined {
  // Only on the record's own write: a later local write that took this version gets its own, and
  // this one is then overtaken (key-plan.ts); a copy of it would publish that write at two versions.
  // Not for a tombstone either: without `_w` it does not say which delete it stands for, and a later
  // delete may take the same version here (the rule above); its own record copies it once settled.
  if (!previous || canonicalItem(previous) !== canonicalItem(action.record.newImage)) return undefined;
  if (isTombstone(previous, deps.config.names) && !(action.kind === 'stamp' && action.revive)) return undefined;
  const { names, sourceRegion: self } = deps.config;
  const out: Item = { ...revived(previous, action, names), [names.version]: { S: action.version }, [names.origin]: { S: self } };
  delete out[names.writtenFor];
  return out;
}

/** A write that updated a tombstone makes the item live again: the marker (and its expiry) go. */
function revived(image: Item, action: InPlace, names: ExecuteDeps['config']['names']): Item {
  const out = { ...image };
  if (action.kind === 'stamp' && action.revive) {
    delete out[names.deleted];
    if (action.revive.dropTtl) delete out[names.ttl];
  }
  return out;
}
