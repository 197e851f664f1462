/**
 * jest's globalSetup and globalTeardown: a pool of DynamoDB Local instances (-sharedDb, in
 * memory) that every test file of the run leases from, instead of starting its own JVMs.
 *
 * Why: a DynamoDB Local start costs about 7 s of CPU and `npm test` started about 80 of them
 * (a replication "world" starts one per region). The pool starts an instance only when no idle
 * one is left, so a run needs about as many as its two workers use at once (3 regions each).
 *
 * Isolation: a leased instance belongs to one test file until it calls `stop()`; the pool then
 * deletes every table (lifting deletion protection) and waits until none is left before it
 * lends the instance again. Stream hooks (shard rollover, record ageing) reach only the leased
 * process. The pool listens on 127.0.0.1 and is named by DYNAMODB_LOCAL_POOL, which the jest
 * workers inherit; without it (or with DYNAMODB_LOCAL_POOL=off) `startDynamoDbLocal` starts its
 * own process as before.
 */
import { DeleteTableCommand, ListTablesCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { DynamoDbLocal, dynamoClient, POOL_ENV, startOwnDynamoDbLocal } from '../../local/dynamodb-local';

interface Pooled {
  readonly id: number;
  /** Settles when the JVM listens (or failed to start). */
  readonly started: Promise<DynamoDbLocal>;
  db?: DynamoDbLocal;
  error?: Error;
  leased: boolean;
}

interface Pool {
  readonly server: Server;
  readonly instances: Pooled[];
}

const POOL = Symbol.for('cdktf-dynamodb-streams.dynamodb-local-pool');
type WithPool = typeof globalThis & { [POOL]?: Pool };

export default async function globalSetup(): Promise<void> {
  // DYNAMODB_LOCAL_POOL=off: every file starts its own instances, as before the pool (to compare).
  if (process.env[POOL_ENV] === 'off') return;
  const pool: Pool = { server: createServer(), instances: [] };
  pool.server.on('request', (req, res) => answer(pool, req, res));
  await new Promise<void>((resolve) => pool.server.listen(0, '127.0.0.1', resolve));
  (globalThis as WithPool)[POOL] = pool;
  process.env[POOL_ENV] = `http://127.0.0.1:${(pool.server.address() as AddressInfo).port}`;
}

/** globalTeardown: stops every instance the run started. */
export async function stopPool(): Promise<void> {
  const pool = (globalThis as WithPool)[POOL];
  if (!pool) return;
  const started = await Promise.allSettled(pool.instances.map((p) => p.started));
  await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  await new Promise<void>((resolve) => pool.server.close(() => resolve()));
  delete process.env[POOL_ENV];
}

function answer(pool: Pool, req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', () => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? null));
    };
    handle(pool, req.url ?? '', text ? JSON.parse(text) : {}).then(
      (body) => reply(200, body),
      (e: Error) => reply(500, { message: e.message }),
    );
  });
}

/**
 * Requests stay short (a JVM start takes minutes on a busy machine): `acquire` answers a lease id
 * at once, and the caller asks `ready` until the instance listens.
 */
async function handle(pool: Pool, action: string, body: { id?: number; words?: string }): Promise<unknown> {
  if (action === '/acquire') {
    const p = pool.instances.find((x) => !x.leased && !x.error) ?? startPooled(pool);
    p.leased = true;
    return { id: p.id };
  }
  const p = pool.instances.find((x) => x.id === body.id);
  if (!p?.leased) throw new Error(`no leased DynamoDB Local ${body.id}`);
  if (action === '/ready') {
    if (p.error) throw p.error;
    return p.db ? { port: p.db.port } : { pending: true };
  }
  const db = await p.started;
  if (action === '/command') {
    const [word, arg] = String(body.words).split(' ');
    if (word === 'ROLLOVER') await db.rolloverShards();
    else if (word === 'AGE') await db.ageStreamRecords(Number(arg));
    else throw new Error(`unknown command ${body.words}`);
    return null;
  }
  if (action === '/release') {
    await deleteEveryTable(db);
    p.leased = false;
    return null;
  }
  throw new Error(`unknown pool action ${action}`);
}

function startPooled(pool: Pool): Pooled {
  const started = startOwnDynamoDbLocal();
  const p: Pooled = { id: pool.instances.length + 1, started, leased: true };
  started.then(
    (db) => (p.db = db),
    (e: Error) => (p.error = e),
  );
  pool.instances.push(p);
  return p;
}

/** Leaves the instance as a fresh one: no table (so no stream) of the previous file survives. */
async function deleteEveryTable(db: DynamoDbLocal): Promise<void> {
  const client = dynamoClient(db.endpoint, 'us-east-1', { maxAttempts: 5 });
  try {
    for (let round = 0; ; round++) {
      const names = await listAll(client);
      if (!names.length) return;
      if (round === 20) throw new Error(`DynamoDB Local kept tables after deleting them: ${names.join(', ')}`);
      for (const name of names) {
        try {
          await client.send(new DeleteTableCommand({ TableName: name }));
        } catch (e: any) {
          if (e.name === 'ResourceNotFoundException') continue;
          // Deletion protection: lift it, as an operator would; the next round deletes.
          await client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false }));
        }
      }
    }
  } finally {
    client.destroy();
  }
}

async function listAll(client: ReturnType<typeof dynamoClient>): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}
