/**
 * The read-only check after a backfill (docs/backfill.md, step 4): for each scanned source item,
 * does the target hold that version or a newer one? Reads the page's keys from the target with
 * strongly consistent BatchGetItem, writes nothing. An item the target lacks (`missing`) or holds
 * at an older version (`behind`) is listed; during traffic a few of those are writes the writers
 * have not delivered yet, so check those again once the writers have drained.
 */
import { BatchGetItemCommand, KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { compareVersions, isTombstone, isVersion, Item } from '../lww';
import { describeKey } from './checkpoint';
import type { ItemContext, PageTally } from './item';
import type { Semaphore } from './pacing';

/** BatchGetItem's limit. */
const KEYS_PER_READ = 100;

export async function verifyPage(items: Item[], ctx: ItemContext, tally: PageTally, reads: Semaphore): Promise<void> {
  const { counts, problems } = tally;
  const { names, keyNames, target } = ctx;
  const checked: { item: Item; version: string }[] = [];
  for (const item of items) {
    counts.scanned++;
    if (isTombstone(item, names)) counts.tombstones++;
    else if (ctx.replicates && !ctx.replicates(item)) {
      counts.filtered++;
      continue;
    }
    const version = item[names.version]?.S;
    if (version !== undefined && isVersion(version)) {
      checked.push({ item, version });
      continue;
    }
    counts.skipped++;
    const why =
      item[names.version] === undefined
        ? 'no version attribute: a copy run stamps it and copies it'
        : `${names.version} is not a replication version`;
    problems.push({ kind: 'skipped', key: describeKey(item, keyNames), reason: why });
  }
  const held = new Map<string, Item>();
  const chunks: (typeof checked)[] = [];
  for (let i = 0; i < checked.length; i += KEYS_PER_READ) chunks.push(checked.slice(i, i + KEYS_PER_READ));
  await Promise.all(
    chunks.map((chunk) =>
      reads.run(async () => {
        for (const found of await readKeys(
          chunk.map((c) => c.item),
          ctx,
        ))
          held.set(describeKey(found, keyNames), found);
      }),
    ),
  );
  for (const { item, version } of checked) {
    const key = describeKey(item, keyNames);
    const there = held.get(key)?.[names.version]?.S;
    if (!held.has(key)) {
      counts.missing++;
      problems.push({ kind: 'missing', key, reason: `${target.region}/${target.table} does not hold it (the source holds ${version})` });
    } else if (there === undefined || !isVersion(there) || compareVersions(there, version) < 0) {
      counts.behind++;
      problems.push({
        kind: 'behind',
        key,
        reason: `${target.region}/${target.table} holds ${there ?? 'no version'}, older than the source's ${version}`,
      });
    } else {
      counts.present++;
    }
  }
}

/** The target's items for `items`' keys (version and keys only), re-asking for unprocessed keys. */
async function readKeys(items: Item[], ctx: ItemContext): Promise<Item[]> {
  const { target, keyNames, names } = ctx;
  const placeholders = Object.fromEntries([...keyNames, names.version].map((n, i) => [`#a${i}`, n]));
  let request: KeysAndAttributes | undefined = {
    Keys: items.map((item) => Object.fromEntries(keyNames.map((k) => [k, item[k]]))),
    ConsistentRead: true,
    ProjectionExpression: Object.keys(placeholders).join(', '),
    ExpressionAttributeNames: placeholders,
  };
  const found: Item[] = [];
  for (let round = 0; request?.Keys?.length; round++) {
    const asked: KeysAndAttributes = request;
    const out = await ctx.requests.read(`reading ${asked.Keys!.length} keys from ${target.region}/${target.table}`, () =>
      target.client.send(new BatchGetItemCommand({ RequestItems: { [target.table]: asked } })),
    );
    found.push(...((out.Responses?.[target.table] ?? []) as Item[]));
    request = out.UnprocessedKeys?.[target.table];
    if (request?.Keys?.length)
      await ctx.requests.backOff(round, `${request.Keys.length} keys of ${target.region}/${target.table} stayed unprocessed`);
  }
  return found;
}
