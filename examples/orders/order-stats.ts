/**
 * Example consumer for the `orders` table: real-time order statistics per day, on the consumer
 * toolkit's windowed micro-batching (docs/consumer-toolkit.md, `windowHandler`).
 *
 * The mapping's tumbling window hands the running aggregate from one invocation to the next, so a
 * batch only folds its changes into memory; the window's last invocation (or every 1,000 changes)
 * flushes it to the stats table: one ADD per day touched, in one transaction with the mark that
 * the flush is done (the `idempotency` table). A retried invocation recomputes the same flush and
 * finds it done, and a Kinesis duplicate is folded once, whether it arrives in its original's
 * window or a later one (each flush marks the changes it folded): nothing counts twice.
 */
import { DynamoDBClient, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { Change, WindowFlush, windowHandler } from '../../handlers/consumer';

/** What the stats table gains for one day: deltas to add to its item. */
export interface DayDelta {
  orders: number;
  revenueCents: number;
  byStatus: Record<string, number>;
}

export type DayDeltas = Record<string, DayDelta>;

/** The order attributes the statistics read. */
export interface Order {
  orderId: string;
  createdAt?: string;
  totalCents?: number;
  status?: string;
}

/** Transactions take 100 items: 99 day updates and the flush's mark. */
const DAYS_PER_TRANSACTION = 99;

/**
 * Folds one change into the deltas (pure). A modify is "remove old, add new"; DynamoDB's TTL
 * sweeper expiring an old order is not a cancellation and changes nothing.
 */
export function fold(deltas: DayDeltas, change: Change<Order>): DayDeltas {
  if (change.byTimeToLive) return deltas;
  if (change.eventName !== 'INSERT') count(deltas, change.oldImage, -1);
  if (change.eventName !== 'REMOVE') count(deltas, change.newImage, 1);
  for (const [day, d] of Object.entries(deltas)) {
    for (const [s, n] of Object.entries(d.byStatus)) if (n === 0) delete d.byStatus[s];
    if (d.orders === 0 && d.revenueCents === 0 && Object.keys(d.byStatus).length === 0) delete deltas[day];
  }
  return deltas;
}

function count(deltas: DayDeltas, order: Order | undefined, sign: 1 | -1): void {
  if (!order?.createdAt || typeof order.totalCents !== 'number') return;
  const d = (deltas[order.createdAt.slice(0, 10)] ??= { orders: 0, revenueCents: 0, byStatus: {} });
  const status = order.status ?? 'UNKNOWN';
  d.orders += sign;
  d.revenueCents += sign * order.totalCents;
  d.byStatus[status] = (d.byStatus[status] ?? 0) + sign;
}

/** Status names become attribute names; keep them to a safe alphabet. */
function statusAttribute(status: string): string {
  return `status_${status.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The ADD of one day's deltas to its stats item. */
function dayUpdate(tableName: string, day: string, d: DayDelta): TransactWriteItem {
  const names: Record<string, string> = { '#orders': 'orders', '#revenue': 'revenueCents' };
  const values: Record<string, AttributeValue> = { ':orders': { N: String(d.orders) }, ':revenue': { N: String(d.revenueCents) } };
  const adds = ['#orders :orders', '#revenue :revenue'];
  Object.keys(d.byStatus)
    .sort()
    .forEach((status, i) => {
      names[`#s${i}`] = statusAttribute(status);
      values[`:s${i}`] = { N: String(d.byStatus[status]) };
      adds.push(`#s${i} :s${i}`);
    });
  return {
    Update: {
      TableName: tableName,
      Key: { day: { S: day } },
      UpdateExpression: `ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Writes one flush: the day updates with the flush's mark in one transaction, or, past 99 days,
 * in parts each marked on its own, so a part an earlier attempt applied is not applied again.
 */
export async function writeFlush(client: DynamoDBClient, tableName: string, deltas: DayDeltas, flush: WindowFlush): Promise<void> {
  const updates = Object.keys(deltas)
    .sort()
    .map((day) => dayUpdate(tableName, day, deltas[day]));
  const parts = Math.max(1, Math.ceil(updates.length / DAYS_PER_TRANSACTION));
  for (let part = 0; part < parts; part++) {
    const last = part === parts - 1;
    const items = updates.slice(part * DAYS_PER_TRANSACTION, (part + 1) * DAYS_PER_TRANSACTION);
    const mark = last ? flush.completionWrite() : flush.partWrite(part);
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: [...items, mark] }));
    } catch (e) {
      // The part's mark is the last item: its condition failing means an earlier attempt applied the part.
      const reasons = e instanceof TransactionCanceledException ? (e.CancellationReasons ?? []) : [];
      if (last || reasons[items.length]?.Code !== 'ConditionalCheckFailed') throw e;
    }
  }
}

let client: DynamoDBClient | undefined;

export const handler = windowHandler<DayDeltas, Order>({
  initial: () => ({}),
  add: fold,
  async flush(deltas, flush) {
    const tableName = process.env.STATS_TABLE_NAME;
    if (!tableName) throw new Error('order-stats: STATS_TABLE_NAME is not set');
    client ??= new DynamoDBClient({});
    await writeFlush(client, tableName, deltas, flush);
    console.log(JSON.stringify({ message: 'window flushed', flush: flush.id, window: flush.window, changes: flush.changes }));
  },
});
