/**
 * What the backfill does with one scanned item (docs/backfill.md, "What it does to each item"):
 * - an item with a version (tombstones included) is put into the target on the condition the
 *   replica writers use, `attribute_not_exists(_v) OR _v < :v`: a target that already holds that
 *   version or a newer one refuses it, which is counted as stale;
 * - an item without one is first given, in the source, the oldest version there is (a
 *   metadata-only conditional UpdateItem); the source region's writer replicates that like any
 *   local write, and the item as stamped is copied here the same way;
 * - an item whose version attribute is not a replication version is skipped and listed;
 * - with selective replication, an item outside the pattern is left out, as its writer leaves it.
 */
import { ConditionalCheckFailedException, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describeError, isItemRejection } from '../common/sdk-errors';
import { itemSize, MAX_ITEM_BYTES } from '../common/item-size';
import { itemForTarget } from '../common/target-item';
import { backfillVersion, isTombstone, isVersion, Item, LwwAttributeNames, newerThanTargetCondition } from '../lww';
import { Counts, describeKey, Problem } from './checkpoint';
import type { SourceTable, TargetTable } from './options';
import type { Requests } from './requests';

/** The version the backfill stamps an unversioned item with (handlers/lww.ts). */
export { BACKFILL_NONCE as STAMP_NONCE, backfillVersion as stampVersion } from '../lww';

export interface ItemContext {
  readonly source: SourceTable;
  readonly target: TargetTable;
  /** Key attribute names, partition key first. */
  readonly keyNames: readonly string[];
  readonly names: LwwAttributeNames;
  readonly unversioned: 'stamp' | 'skip';
  /** The table's selective-replication test; undefined: every item replicates. */
  readonly replicates?: (item: Item) => boolean;
  readonly requests: Requests;
}

/** What one item came to; `counts` and `problems` are the page's, added to by every item. */
export interface PageTally {
  readonly counts: Counts;
  readonly problems: Problem[];
}

export async function backfillItem(item: Item, ctx: ItemContext, tally: PageTally): Promise<void> {
  const { counts } = tally;
  counts.scanned++;
  const tombstone = isTombstone(item, ctx.names);
  if (tombstone) counts.tombstones++;
  // Deletes always replicate (the writers' patterns let tombstones through), items only when they match.
  else if (ctx.replicates && !ctx.replicates(item)) {
    counts.filtered++;
    return;
  }
  const version = item[ctx.names.version];
  if (version === undefined) {
    if (ctx.unversioned === 'skip')
      return skip(item, ctx, tally, 'no version attribute (written before replication and never since); --unversioned stamp copies it');
    const stamped = await stamp(item, ctx);
    if (stamped.kind === 'stamped') counts.stamped++;
    // Deleted since the scan read it: nothing to copy, and the delete replicates by itself.
    if (stamped.kind === 'gone') {
      counts.skipped++;
      return;
    }
    return backfillItemWithVersion(stamped.item, ctx, tally);
  }
  return backfillItemWithVersion(item, ctx, tally);
}

async function backfillItemWithVersion(item: Item, ctx: ItemContext, tally: PageTally): Promise<void> {
  const version = item[ctx.names.version]?.S;
  if (version === undefined || !isVersion(version)) {
    return skip(
      item,
      ctx,
      tally,
      `${ctx.names.version} is not a replication version (${JSON.stringify(item[ctx.names.version]).slice(0, 120)}); its writer parks such writes too`,
    );
  }
  await copy(item, version, ctx, tally);
}

type Stamp = { kind: 'stamped'; item: Item } | { kind: 'changed'; item: Item } | { kind: 'gone' };

/**
 * Sets the stamp version and origin on the item in the source, only while it still exists without
 * a version: the content is not touched, so whatever the item holds now is what gets the version.
 */
async function stamp(item: Item, ctx: ItemContext): Promise<Stamp> {
  const { source, names, keyNames } = ctx;
  const Key = Object.fromEntries(keyNames.map((k) => [k, item[k]]));
  try {
    const out = await ctx.requests.write(`stamping ${describeKey(item, keyNames)} in ${source.region}/${source.table}`, () =>
      source.client.send(
        new UpdateItemCommand({
          TableName: source.table,
          Key,
          UpdateExpression: 'SET #v = :v, #o = :o',
          ConditionExpression: 'attribute_exists(#k) AND attribute_not_exists(#v)',
          ExpressionAttributeNames: { '#v': names.version, '#o': names.origin, '#k': keyNames[0] },
          ExpressionAttributeValues: { ':v': { S: backfillVersion(source.region) }, ':o': { S: source.region } },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    return { kind: 'stamped', item: out.Attributes as Item };
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    // Written (so versioned) or deleted since the scan read it: copy what it holds now, if anything.
    const current = e.Item as Item | undefined;
    return current ? { kind: 'changed', item: current } : { kind: 'gone' };
  }
}

async function copy(item: Item, version: string, ctx: ItemContext, tally: PageTally): Promise<void> {
  const { target, names, keyNames } = ctx;
  const keys = Object.fromEntries(keyNames.map((k) => [k, item[k]]));
  // The writer's own omit/mask rule.
  const written = itemForTarget(item, target, keys, names);
  const size = itemSize(written);
  if (size > MAX_ITEM_BYTES)
    return fail(
      item,
      ctx,
      tally,
      `${size} bytes for ${target.region}/${target.table} after masking, over DynamoDB's ${MAX_ITEM_BYTES}-byte item limit`,
    );
  try {
    await ctx.requests.write(`copying ${describeKey(item, keyNames)} to ${target.region}/${target.table}`, () =>
      target.client.send(new PutItemCommand({ TableName: target.table, Item: written, ...newerThanTargetCondition(version, names) })),
    );
    tally.counts.copied++;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) {
      tally.counts.stale++;
      return;
    }
    // Transient failures come back only when their retries ran out, and stop the run.
    if (isItemRejection(e)) return fail(item, ctx, tally, `rejected by ${target.region}/${target.table}: ${describeError(e)}`);
    throw e;
  }
}

function skip(item: Item, ctx: ItemContext, tally: PageTally, reason: string): void {
  tally.counts.skipped++;
  tally.problems.push({ kind: 'skipped', key: describeKey(item, ctx.keyNames), reason });
}

function fail(item: Item, ctx: ItemContext, tally: PageTally, reason: string): void {
  tally.counts.failed++;
  tally.problems.push({ kind: 'failed', key: describeKey(item, ctx.keyNames), reason });
}
