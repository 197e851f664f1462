/**
 * The consumer toolkit's proof on both sources (consumer-toolkit.test.ts on DynamoDB streams,
 * consumer-proof.test.ts on Kinesis and windows): the application's workload with its model, the
 * sink the handlers write, and a client that "crashes" part way through an invocation.
 *
 * The oracle is the workload, never the toolkit: per key, how many changes the application made
 * and the sum of the amounts its writes left in the new images. The sink counts, per change, how
 * often it was applied (one item per change identity, `applied`), and per key the sum and count.
 */
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { changeHandler, DynamoDBIdempotencyStore, WindowResult, windowHandler } from '../../../handlers/consumer';

export interface Order {
  pk: string;
  amount: number;
}

/** Per key: how many changes the application made, and the sum of the amounts its writes put. */
export type Model = Record<string, { changes: number; sum: number }>;

/** Fails every call from the `after`-th on, until disarmed: the function died there. */
export class Crash {
  private left = Infinity;
  /** Every call made, as `Command TableName` (one per table a batch call names; a TransactWriteItems names no table of its own). */
  readonly calls: string[] = [];
  arm(after: number) {
    this.left = after;
  }
  disarm() {
    this.left = Infinity;
  }
  client(inner: DynamoDBClient): DynamoDBClient {
    return {
      send: async (command: any) => {
        const tables = command.input.RequestItems ? Object.keys(command.input.RequestItems) : [command.input.TableName ?? ''];
        for (const table of tables) this.calls.push(`${command.constructor.name} ${table}`.trim());
        if (this.left-- <= 0) throw Object.assign(new Error('injected crash: the function died'), { name: 'InjectedCrash' });
        return inner.send(command);
      },
    } as unknown as DynamoDBClient;
  }
}

/**
 * `writes` puts and deletes over `keys` keys (every 11th write a delete of a random key); returns
 * the model. A delete of a missing item makes no change and is not counted.
 */
export async function writeWorkload(
  ddb: DynamoDBClient,
  table: string,
  random: () => number,
  o: { writes: number; keys: number; model?: Model },
): Promise<Model> {
  const model: Model = o.model ?? {};
  for (let i = 0; i < o.writes; i++) {
    const pk = `k${Math.floor(random() * o.keys)}`;
    const m = (model[pk] ??= { changes: 0, sum: 0 });
    if (i % 11 === 10) {
      const gone = await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: pk } }, ReturnValues: 'ALL_OLD' }));
      if (gone.Attributes) m.changes++;
      continue;
    }
    const amount = 1 + Math.floor(random() * 100);
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, amount: { N: String(amount) }, i: { N: String(i) } } }));
    m.changes++;
    m.sum += amount;
  }
  return model;
}

/**
 * The per-change consumer under proof: each change adds 1 to its own sink item and its amount to
 * its key's, in one transaction with the toolkit's completion mark (exactly once on a DynamoDB sink).
 */
export function sinkHandler(client: DynamoDBClient, sink: string, idempotencyTable: string) {
  return changeHandler<Order>(
    async (change, ctx) => {
      const amount = change.newImage?.amount ?? 0;
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: sink,
                Key: { pk: { S: `change#${change.id}` } },
                UpdateExpression: 'ADD applied :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
            {
              Update: {
                TableName: sink,
                Key: { pk: { S: `key#${change.keys.pk}` } },
                UpdateExpression: 'ADD amountSum :a, changeCount :one',
                ExpressionAttributeValues: { ':a': { N: String(amount) }, ':one': { N: '1' } },
              },
            },
            ctx.completionWrite(),
          ],
        }),
      );
    },
    { idempotency: new DynamoDBIdempotencyStore({ client, tableName: idempotencyTable }), backoff: false, remainingMs: () => 0 },
  );
}

/** What the sink holds: how often each change was applied, and per key the sums and counts. */
export async function readSink(ddb: DynamoDBClient, sink: string): Promise<{ applied: number[]; perKey: Model }> {
  const items = (await ddb.send(new ScanCommand({ TableName: sink, ConsistentRead: true }))).Items ?? [];
  const applied = items.filter((i) => i.pk.S!.startsWith('change#')).map((i) => Number(i.applied.N));
  const perKey = Object.fromEntries(
    items
      .filter((i) => i.pk.S!.startsWith('key#'))
      .map((i) => [i.pk.S!.slice(4), { changes: Number(i.changeCount.N), sum: Number(i.amountSum.N) }]),
  );
  return { applied, perKey };
}

/**
 * The windowed consumer under proof: per-key sums and counts folded in a tumbling window and
 * flushed in one transaction with the flush's mark. `crashBeforeCommit()` says whether the next
 * flush dies before its transaction; `writes` counts the downstream transactions that committed.
 */
export function windowSink(client: DynamoDBClient, sink: string, idempotencyTable: string, maxChanges: number) {
  const counters = { writes: 0, crashBeforeCommit: () => false };
  const handler = windowHandler<Model, Order>({
    initial: () => ({}),
    add: (model, change) => {
      const m = (model[String(change.keys.pk)] ??= { changes: 0, sum: 0 });
      m.changes++;
      m.sum += change.newImage?.amount ?? 0;
      return model;
    },
    flush: async (model, flush) => {
      if (counters.crashBeforeCommit())
        throw Object.assign(new Error('injected crash before the flush committed'), { name: 'InjectedCrash' });
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            ...Object.entries(model).map(([pk, m]) => ({
              Update: {
                TableName: sink,
                Key: { pk: { S: `key#${pk}` } },
                UpdateExpression: 'ADD amountSum :s, changeCount :n',
                ExpressionAttributeValues: { ':s': { N: String(m.sum) }, ':n': { N: String(m.changes) } },
              },
            })),
            flush.completionWrite(),
          ],
        }),
      );
      counters.writes++;
    },
    maxChanges,
    store: new DynamoDBIdempotencyStore({ client, tableName: idempotencyTable }),
  });
  return { handler, counters };
}

export interface WindowRun {
  invocations: number;
  crashes: number;
  lostResults: number;
}

/**
 * Lambda's tumbling-window protocol for one shard and one window (FAKE: it has no local
 * counterpart): batches of `batchSize`, the state carried from one invocation to the next, the
 * last marked final; an invocation that fails, or whose result is lost after it finished, is
 * retried with the state it was given and the same records.
 */
export async function deliverWindow(
  handler: (event: any) => Promise<WindowResult>,
  records: unknown[],
  o: { window: { start: string; end: string }; shardId: string; eventSourceARN: string; batchSize: number; loseResult: () => boolean },
  run: WindowRun,
): Promise<void> {
  let state: Record<string, string> = {};
  for (let i = 0; i < records.length; i += o.batchSize) {
    const event = {
      Records: JSON.parse(JSON.stringify(records.slice(i, i + o.batchSize))),
      window: o.window,
      state,
      shardId: o.shardId,
      eventSourceARN: o.eventSourceARN,
      isFinalInvokeForWindow: i + o.batchSize >= records.length,
    };
    for (;;) {
      run.invocations++;
      let result: WindowResult;
      try {
        result = await handler(event);
      } catch {
        run.crashes++;
        continue;
      }
      if (o.loseResult()) {
        run.lostResults++; // the invocation finished, but Lambda saw a timeout: the same event again
        continue;
      }
      state = result.state;
      break;
    }
  }
  if (Object.keys(state).length) throw new Error(`the window ended with state left: ${JSON.stringify(state).slice(0, 200)}`);
}
