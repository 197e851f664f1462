/**
 * A history's application writes, the stream record each made, the final reads and the trace of a
 * failing history (moved from contract-histories.ts).
 */
import {
  BatchGetItemCommand,
  BatchGetItemCommandOutput,
  DeleteItemCommand,
  DynamoDBClient,
  KeysAndAttributes,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ReplicatedWrites } from '../../../handlers/client';
import { Item } from '../../../handlers/lww';
import { AppWrite, CausalOracle, TAG } from './causal-oracle';
import { SteppedMapping } from './mapping';
import { World } from './world';

import type { Op } from './history-arbitraries';

export const TABLE = 'convergence';

/** The items of `keys` in the table, by key, read strongly consistent (one BatchGetItem, retried for unprocessed keys). */
export async function itemsOf(ddb: DynamoDBClient, keys: string[]): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  let request: Record<string, KeysAndAttributes> | undefined = {
    [TABLE]: { Keys: keys.map((k) => ({ pk: { S: k } })), ConsistentRead: true },
  };
  for (let round = 0; request && Object.keys(request).length; round++) {
    if (round === 10) throw new Error(`BatchGetItem left keys unprocessed 10 times: ${JSON.stringify(request)}`);
    const page: BatchGetItemCommandOutput = await ddb.send(new BatchGetItemCommand({ RequestItems: request }));
    for (const item of page.Responses?.[TABLE] ?? []) out.set(item.pk.S!, item as Item);
    request = page.UnprocessedKeys;
  }
  return out;
}

/** Makes one application write and logs it for the oracle; undefined when it changed nothing. */
export async function write(
  world: World,
  op: Extract<Op, { t: 'write' }>,
  region: string,
  key: string,
  tag: string,
  app: ReplicatedWrites,
  oracle: CausalOracle,
): Promise<AppWrite | undefined> {
  const ddb = world.ddb[region];
  const Key = { pk: { S: key } };
  const content = { val: { S: `${region}:${op.value}` }, [TAG]: { S: tag } };
  const log = (after: Item | undefined, helperVersion?: string) =>
    oracle.add({ region, key, kind: op.kind, tag: op.kind.endsWith('elete') ? undefined : tag, helperVersion, after, madeBy: Date.now() });
  const update = {
    TableName: TABLE,
    Key,
    UpdateExpression: 'SET val = :x, #tag = :t',
    ExpressionAttributeNames: { '#tag': TAG },
    ExpressionAttributeValues: { ':x': content.val, ':t': content[TAG] },
  };
  switch (op.kind) {
    case 'put': {
      const input = app.put({ TableName: TABLE, Item: { ...Key, ...content } });
      await ddb.send(new PutItemCommand(input));
      return log(input.Item as Item, (input.Item as Item)._v.S);
    }
    case 'update': {
      const input = app.update(update);
      const out = await ddb.send(new UpdateItemCommand({ ...input, ReturnValues: 'ALL_NEW' }));
      return log(out.Attributes as Item, (input.ExpressionAttributeValues as Item)[':lwwV'].S);
    }
    case 'delete': {
      const input = app.delete({ TableName: TABLE, Key });
      await ddb.send(new PutItemCommand(input));
      return log(input.Item as Item, input.Item!._v.S);
    }
    case 'rawPut':
      await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { ...Key, ...content } }));
      return log({ ...Key, ...content });
    case 'rawUpdate': {
      const out = await ddb.send(new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }));
      return log(out.Attributes as Item);
    }
    case 'rawDelete': {
      const out = await ddb.send(new DeleteItemCommand({ TableName: TABLE, Key, ReturnValues: 'ALL_OLD' }));
      // Deleting nothing is no write: DynamoDB records nothing for it.
      return out.Attributes ? log(undefined) : undefined;
    }
  }
}

/**
 * The record a write produced, among the records its region's stream gained since the last look:
 * the writer's records in between cannot be of this write (its writer has not seen it yet), so it
 * is the one that first shows its tag, its helper version, or (a hard delete) a REMOVE of its key.
 */
export function attach(w: AppWrite, fresh: DynamoDBRecord[]): DynamoDBRecord {
  const rec = fresh.find((r) => {
    const image = r.dynamodb?.NewImage;
    if (r.dynamodb?.Keys?.pk?.S !== w.key) return false;
    if (w.kind === 'rawDelete') return r.eventName === 'REMOVE';
    if (w.tag !== undefined) return image?.[TAG]?.S === w.tag && r.dynamodb?.OldImage?.[TAG]?.S !== w.tag;
    return image?._v?.S === w.helperVersion;
  });
  if (!rec || fresh.indexOf(rec) !== fresh.length - 1)
    throw new Error(
      `the record of write #${w.id} (${w.kind} in ${w.region}) is not the newest in its stream: ${JSON.stringify(rec ?? fresh)}`,
    );
  w.sequenceNumber = rec.dynamodb!.SequenceNumber;
  return rec;
}

/** What each region's stream held and what its writer was given, batch by batch (printed for a failing history). */
export function trace(mapping: SteppedMapping, streams: Record<string, DynamoDBRecord[]>): string {
  const brief = (r: any) => {
    const d = 'kinesis' in r ? JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) : r;
    const x = d.dynamodb;
    return [
      d.eventName,
      x.Keys?.pk?.S,
      'kinesis' in r ? x.ApproximateCreationDateTime : x.SequenceNumber,
      x.OldImage?._v?.S,
      x.NewImage?._v?.S,
      x.NewImage?.tag?.S ?? (x.NewImage?._d ? 'tombstone' : ''),
    ].join(' ');
  };
  return Object.keys(streams)
    .map(
      (r) =>
        `== ${r} stream\n${streams[r].map(brief).join('\n')}\n== ${r} deliveries\n${mapping.delivered[r].map((b, i) => `#${i}: ${b.map(brief).join(' | ')}`).join('\n')}`,
    )
    .join('\n');
}
