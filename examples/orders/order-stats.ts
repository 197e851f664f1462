/**
 * Example consumer for the `orders` table: real-time order statistics per day.
 *
 * It uses the mapping's tumbling window: Lambda hands the running aggregate (`state`) from one
 * invocation to the next within a window, so each batch only folds its records into memory, and
 * the last invocation of the window flushes the whole window to the stats table in one write per
 * day. A window is applied at most once per shard: the flush is conditional on the window's id
 * not being recorded on the stats item yet, so a retried final invocation cannot double count.
 */
import { ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/** Aggregate for one day bucket: deltas to add to the stats item. */
export interface DayDelta {
  orders: number;
  revenueCents: number;
  byStatus: Record<string, number>;
}

export type WindowState = Record<string, DayDelta>;

export interface TumblingWindowEvent {
  Records: DynamoDBRecord[];
  window: { start: string; end: string };
  state?: WindowState;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

interface Order {
  day: string;
  totalCents: number;
  status: string;
}

function orderOf(image: Record<string, AttributeValue> | undefined): Order | undefined {
  if (!image?.createdAt?.S || image.totalCents?.N === undefined) return undefined;
  return { day: image.createdAt.S.slice(0, 10), totalCents: Number(image.totalCents.N), status: image.status?.S ?? 'UNKNOWN' };
}

function add(state: WindowState, order: Order, sign: 1 | -1): void {
  const d = (state[order.day] ??= { orders: 0, revenueCents: 0, byStatus: {} });
  d.orders += sign;
  d.revenueCents += sign * order.totalCents;
  d.byStatus[order.status] = (d.byStatus[order.status] ?? 0) + sign;
}

/** True for deletes made by DynamoDB's TTL sweeper: expiring old orders is not a cancellation. */
export function isTtlDelete(record: DynamoDBRecord): boolean {
  return (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity?.principalId === 'dynamodb.amazonaws.com'
  );
}

/** Folds one stream record into the window state (pure). A modify is "remove old, add new". */
export function fold(state: WindowState, record: DynamoDBRecord): WindowState {
  if (isTtlDelete(record)) return state;
  const before = orderOf(record.dynamodb?.OldImage);
  const after = orderOf(record.dynamodb?.NewImage);
  if (before && record.eventName !== 'INSERT') add(state, before, -1);
  if (after && record.eventName !== 'REMOVE') add(state, after, 1);
  for (const [day, d] of Object.entries(state)) {
    for (const [s, n] of Object.entries(d.byStatus)) if (n === 0) delete d.byStatus[s];
    if (d.orders === 0 && d.revenueCents === 0 && Object.keys(d.byStatus).length === 0) delete state[day];
  }
  return state;
}

/** Status names become attribute names; keep them to a safe alphabet. */
function statusAttribute(status: string): string {
  return `status_${status.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Writes one window's deltas; returns how many days were applied and how many were already there. */
export async function flushWindow(
  client: DynamoDBClient,
  tableName: string,
  windowId: string,
  state: WindowState,
): Promise<{ applied: number; duplicate: number }> {
  let applied = 0;
  let duplicate = 0;
  for (const day of Object.keys(state).sort()) {
    const d = state[day];
    const names: Record<string, string> = { '#orders': 'orders', '#revenue': 'revenueCents', '#windows': 'appliedWindows' };
    const values: Record<string, AttributeValue> = {
      ':orders': { N: String(d.orders) },
      ':revenue': { N: String(d.revenueCents) },
      ':window': { SS: [windowId] },
      ':windowId': { S: windowId },
    };
    const adds = ['#orders :orders', '#revenue :revenue', '#windows :window'];
    Object.keys(d.byStatus)
      .sort()
      .forEach((status, i) => {
        names[`#s${i}`] = statusAttribute(status);
        values[`:s${i}`] = { N: String(d.byStatus[status]) };
        adds.push(`#s${i} :s${i}`);
      });
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { day: { S: day } },
          UpdateExpression: `ADD ${adds.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#windows) OR NOT contains(#windows, :windowId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values as any,
        }),
      );
      applied++;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      duplicate++;
    }
  }
  return { applied, duplicate };
}

let client: DynamoDBClient | undefined;

export async function handler(event: TumblingWindowEvent): Promise<{ state: WindowState }> {
  const state = event.Records.reduce(fold, event.state ?? {});
  if (!event.isFinalInvokeForWindow) return { state };
  const tableName = process.env.STATS_TABLE_NAME;
  if (!tableName) throw new Error('order-stats: STATS_TABLE_NAME is not set');
  client ??= new DynamoDBClient({});
  const result = await flushWindow(client, tableName, `${event.shardId}#${event.window.start}`, state);
  console.log(JSON.stringify({ message: 'window flushed', window: event.window, shardId: event.shardId, ...result }));
  return { state: {} };
}
