/**
 * Write helper for applications of a replicated table (docs/replication-protocol.md). It
 * turns ordinary command inputs into replication-safe ones, without doing I/O itself:
 *
 *   const lww = replicatedWrites({ region: 'eu-west-1' });
 *   await ddb.send(new PutItemCommand(lww.put({ TableName, Item })));
 *   await ddb.send(new PutItemCommand(lww.delete({ TableName, Key })));   // a tombstone
 *   const item = lww.visible((await ddb.send(new GetItemCommand(...))).Item);
 *
 * Writes made without it still converge (the replica writer stamps them), at one extra write each.
 */
import type {
  DeleteItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_ATTRIBUTE_NAMES,
  DEFAULT_TOMBSTONE_TTL_SECONDS,
  isTombstone,
  Item,
  LwwAttributeNames,
  newVersion,
  tombstoneExpiry,
  tombstoneItem,
} from './lww';

export type { LwwAttributeNames } from './lww';

/** How `replicatedWrites` stamps an application's writes. */
export interface ReplicatedWritesOptions {
  /** Region the application writes in (the origin stamped on its writes). */
  readonly region: string;
  /** Replication attribute names; must match the replica writer's. @default _v, _o, _d, _ttl */
  readonly names?: Partial<LwwAttributeNames>;
  /** Seconds a tombstone lives before TTL removes it. @default 604800 (7 days) */
  readonly tombstoneTtlSeconds?: number;
  /** Clock in epoch ms (tests). @default Date.now */
  readonly now?: () => number;
  /** Nonce source (tests). @default random */
  readonly nonce?: () => string;
  /**
   * Whether a stamped update also removes the TTL attribute, so that updating a deleted
   * (tombstoned) key revives it for good instead of letting the tombstone's expiry delete it.
   * Turn off when the application gives its own items a TTL in that same attribute; updates
   * that set the attribute themselves keep it either way.
   * @default true
   */
  readonly updateClearsTtl?: boolean;
}

type Put = NonNullable<NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number]['Put']>;
type Update = NonNullable<NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number]['Update']>;
type Delete = NonNullable<NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number]['Delete']>;

/** Placeholders used by the stamped update; unlikely to collide with an application's own. */
const P = { v: '#lwwV', o: '#lwwO', d: '#lwwD', t: '#lwwT', w: '#lwwW', nv: ':lwwV', no: ':lwwO' };

/**
 * Pure transformations of `@aws-sdk/client-dynamodb` command inputs and outputs for a replicated
 * table: send what they return with your own client. Every method leaves its argument unchanged.
 */
export interface ReplicatedWrites {
  /** The replication attribute names in effect (the options' `names` over the defaults `_v`, `_o`, `_d`, `_ttl`, `_w`). */
  readonly names: LwwAttributeNames;
  /** A fresh version for a write made now. */
  version(): string;
  /** PutItem input with `_v`/`_o` stamped on the item (a put also revives a tombstoned key). */
  put<T extends PutItemCommandInput | Put>(input: T): T;
  /** UpdateItem input that also sets `_v`/`_o` and removes the tombstone marker. */
  update<T extends UpdateItemCommandInput | Update>(input: T): T;
  /** The tombstone PutItem that replaces a DeleteItem (keeps its condition). */
  delete(input: DeleteItemCommandInput | Delete): PutItemCommandInput;
  /** Every Put, Update and Delete of a transaction stamped; Deletes become tombstone Puts. */
  transactWrite(input: TransactWriteItemsCommandInput): TransactWriteItemsCommandInput;
  /** The item, or undefined when it is a tombstone (a deleted item). */
  visible(item: Item | undefined): Item | undefined;
  /** GetItem output with a tombstone hidden. */
  get(output: GetItemCommandOutput): GetItemCommandOutput;
  /** Query/Scan output without tombstones (Count adjusted; ScannedCount untouched). */
  page<T extends QueryCommandOutput | ScanCommandOutput>(output: T): T;
  /** Query/Scan input with a filter that drops tombstones server-side (still read, still paid). */
  excludeTombstones<T extends QueryCommandInput | ScanCommandInput>(input: T): T;
}

/**
 * The write helper for an application writing to a ReplicatedTable in `options.region`: stamps a
 * version and origin on puts and updates, and turns deletes into tombstones, so each write takes
 * part in last-write-wins (docs/replication-protocol.md).
 *
 * @example
 *   const lww = replicatedWrites({ region: process.env.AWS_REGION! });
 *   await ddb.send(new PutItemCommand(lww.put({ TableName, Item })));
 *   const item = lww.visible((await ddb.send(new GetItemCommand({ TableName, Key }))).Item);
 */
export function replicatedWrites(options: ReplicatedWritesOptions): ReplicatedWrites {
  const names: LwwAttributeNames = { ...DEFAULT_ATTRIBUTE_NAMES, ...options.names };
  const ttlSeconds = options.tombstoneTtlSeconds ?? DEFAULT_TOMBSTONE_TTL_SECONDS;
  const now = options.now ?? Date.now;
  const version = () => newVersion(options.region, { now, nonce: options.nonce });
  const stamp = (v: string) => ({ [names.version]: { S: v }, [names.origin]: { S: options.region } });

  const put = <T extends PutItemCommandInput | Put>(input: T): T => {
    const item = { ...input.Item };
    // A put replaces the whole item, so a tombstone or repair marker the caller copied along would
    // re-delete it, or make it look like the writer's copy of another write.
    delete item[names.deleted];
    delete item[names.writtenFor];
    return { ...input, Item: { ...item, ...stamp(version()) } };
  };

  const update = <T extends UpdateItemCommandInput | Update>(input: T): T => {
    const expr = input.UpdateExpression ?? '';
    const assignments = `${P.v} = ${P.nv}, ${P.o} = ${P.no}`;
    // SET/REMOVE are reserved words, so a bare "SET" token is always the clause keyword.
    let updated = /(^|\s)SET\s/i.test(expr) ? expr.replace(/(^|\s)SET\s/i, `$1SET ${assignments}, `) : `${expr} SET ${assignments}`;
    const setsTtl =
      Object.values(input.ExpressionAttributeNames ?? {}).includes(names.ttl) ||
      new RegExp(`(^|[^#:\\w])${names.ttl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(expr);
    const clearTtl = (options.updateClearsTtl ?? true) && !setsTtl;
    // The writer's repair marker goes too: the item is now this write, not the writer's copy of another.
    const removals = clearTtl ? `${P.d}, ${P.w}, ${P.t}` : `${P.d}, ${P.w}`;
    updated = /(^|\s)REMOVE\s/i.test(updated)
      ? updated.replace(/(^|\s)REMOVE\s/i, `$1REMOVE ${removals}, `)
      : `${updated} REMOVE ${removals}`;
    const extraNames: Record<string, string> = { [P.v]: names.version, [P.o]: names.origin, [P.d]: names.deleted, [P.w]: names.writtenFor };
    if (clearTtl) extraNames[P.t] = names.ttl;
    return {
      ...input,
      UpdateExpression: updated.trim(),
      ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...extraNames },
      ExpressionAttributeValues: { ...input.ExpressionAttributeValues, [P.nv]: { S: version() }, [P.no]: { S: options.region } },
    };
  };

  const del = (input: DeleteItemCommandInput | Delete): PutItemCommandInput => {
    const v = version();
    const { Key, TableName, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = input;
    if (!Key || !TableName) throw new Error('delete needs TableName and Key');
    const out: PutItemCommandInput = {
      TableName,
      Item: tombstoneItem(Key, v, options.region, tombstoneExpiry(now(), ttlSeconds), names),
    };
    if (ConditionExpression) Object.assign(out, { ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues });
    if ('ReturnValues' in input && input.ReturnValues === 'ALL_OLD') out.ReturnValues = 'ALL_OLD';
    return out;
  };

  const visible = (item: Item | undefined) => (item && !isTombstone(item, names) ? item : undefined);

  return {
    names,
    version,
    put,
    update,
    delete: del,
    transactWrite: (input) => ({
      ...input,
      TransactItems: input.TransactItems?.map((t) => {
        if (t.Put) return { ...t, Put: put(t.Put) };
        if (t.Update) return { ...t, Update: update(t.Update) };
        if (t.Delete) {
          const { ReturnValues: _unused, ...tomb } = del(t.Delete);
          return { Put: { ...tomb, ReturnValuesOnConditionCheckFailure: t.Delete.ReturnValuesOnConditionCheckFailure } as Put };
        }
        return t;
      }),
    }),
    visible,
    get: (output) => ({ ...output, Item: visible(output.Item) }),
    page: <T extends QueryCommandOutput | ScanCommandOutput>(output: T): T => {
      const Items = output.Items?.filter((i) => !isTombstone(i, names));
      return { ...output, Items, Count: Items?.length ?? output.Count };
    },
    excludeTombstones: <T extends QueryCommandInput | ScanCommandInput>(input: T): T => {
      const clause = 'attribute_not_exists(#lwwD)';
      return {
        ...input,
        FilterExpression: input.FilterExpression ? `(${input.FilterExpression}) AND ${clause}` : clause,
        ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#lwwD': names.deleted },
      };
    },
  };
}
