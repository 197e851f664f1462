/**
 * A consumer handler on the toolkit (`<package>/consumer`), type-checked strictly in every row of
 * the matrix (both flavours): typed changes, the completion mark in the handler's own transaction,
 * a transient error for the backoff, and a windowed aggregate. `checks.ts` runs `describeChange`.
 */
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import {
  Change,
  changeHandler,
  ImageNotInViewError,
  SourceRecord,
  toChange,
  TransientError,
  windowHandler,
} from 'cdktf-dynamodb-streams/consumer';

interface Order {
  orderId: string;
  totalCents: number;
  status: 'NEW' | 'PAID';
}

const client = new DynamoDBClient({});

export const handler = changeHandler<Order, { orderId: string }>(async (change, ctx) => {
  if (change.eventName === 'REMOVE' || change.byTimeToLive) return;
  const order: Order | undefined = change.newImage;
  if (!order) throw new TransientError(`no new image for ${change.keys.orderId}`);
  await client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'order-events', Item: { id: { S: change.id }, orderId: { S: order.orderId } } } },
        ctx.completionWrite(),
      ],
    }),
  );
});

export const perStatus = windowHandler<Record<string, number>, Order>({
  initial: () => ({}),
  add: (counts, change: Change<Order>) => {
    const status = change.newImage?.status ?? 'NEW';
    return { ...counts, [status]: (counts[status] ?? 0) + 1 };
  },
  flush: async (counts, flush) => {
    const updates = Object.entries(counts).map(([status, n]) => ({
      Update: {
        TableName: 'order-stats',
        Key: { status: { S: status } },
        UpdateExpression: 'ADD n :n',
        ExpressionAttributeValues: { ':n': { N: String(n) } },
      },
    }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [...updates, flush.completionWrite()] }));
  },
  maxChanges: 500,
});

/** What the toolkit makes of a KEYS_ONLY stream record, across the package boundary. */
export function describeChange(record: SourceRecord): { keys: unknown; idLength: number; precision: string; newImage: string } {
  const change = toChange(record);
  let newImage = 'read';
  try {
    void change.newImage;
  } catch (e) {
    newImage = e instanceof ImageNotInViewError ? 'ImageNotInViewError' : String(e);
  }
  return { keys: change.keys, idLength: change.id.length, precision: change.createdAt.precision, newImage };
}
