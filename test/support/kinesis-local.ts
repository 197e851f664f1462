/**
 * A real local Kinesis server for tests: the npm package `kinesis-local` (kinesis-mock built for
 * Node), run as `node main.js` from its package folder (it reads server.json there), on two free
 * loopback ports (plain HTTP and TLS), bound to 127.0.0.1 by a preload (kinesis-loopback.js).
 *
 * Reuse: `startKinesisLocal()` -> `{ endpoint, tlsEndpoint, client(), subscribeClient(), stop() }`;
 * `createKinesisStream(client, name, shards)` waits until the stream is ACTIVE.
 *
 * What the server cannot do, and how the clients get around it:
 * - HTTP/2 on its plain port, and concurrent HTTP/2 calls, fail with PROTOCOL_ERROR: every call but
 *   SubscribeToShard goes over the SDK's HTTP/1.1 handler;
 * - SubscribeToShard works over HTTP/2 on the TLS port, but the server answers a GOAWAY (which the
 *   SDK's HTTP/2 handler sends as soon as the response starts, for event streams) with a protocol
 *   error that kills the subscription: `subscribeClient()` uses a minimal HTTP/2 handler that keeps
 *   the session open until the event stream ends.
 */
import { ChildProcess, spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { connect } from 'http2';
import { createServer } from 'net';
import { dirname, join } from 'path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { stopProcess } from './dynamodb-local';
import type { HttpRequest, HttpResponse } from '@smithy/types';

/** kinesis-mock namespaces streams by the access key when it is a 12-digit account id. */
export const KINESIS_ACCOUNT = '000000000000';
export const KINESIS_CREDENTIALS = { accessKeyId: KINESIS_ACCOUNT, secretAccessKey: 'local-test-secret' };

export interface KinesisLocal {
  /** http://127.0.0.1:<plain port> */
  readonly endpoint: string;
  /** https://127.0.0.1:<tls port> (self-signed certificate from the package's server.json) */
  readonly tlsEndpoint: string;
  /** A client for every call but SubscribeToShard (HTTP/1.1). */
  client(region?: string): KinesisClient;
  /** A client for SubscribeToShard (HTTP/2 over TLS). */
  subscribeClient(region?: string): KinesisClient;
  /** Kills the server and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

function packageDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'node_modules', 'kinesis-local', 'main.js'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new Error(
        'kinesis-local is missing: node_modules/kinesis-local/main.js not found (is the kinesis-local devDependency installed? run npm ci)',
      );
    dir = up;
  }
  return join(dir, 'node_modules', 'kinesis-local');
}

/** A port the OS says is free now (the server binds it a moment later; collisions are retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface KinesisStartOptions {
  /** @default 60000: the server (8 MB of Scala.js) takes a few seconds to start on 2 cores */
  readonly startTimeoutMs?: number;
}

export async function startKinesisLocal(options: KinesisStartOptions = {}): Promise<KinesisLocal> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options.startTimeoutMs ?? 60_000);
    } catch (e) {
      // Another process took a port between our probe and the server's bind: try other ports.
      if (attempt >= 3 || !/EADDRINUSE/.test(String((e as Error).message))) throw e;
    }
  }
}

async function startOnce(timeoutMs: number): Promise<KinesisLocal> {
  const dir = packageDir();
  const [plain, tls] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['-r', join(__dirname, 'kinesis-loopback.js'), 'main.js'], {
    cwd: dir,
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      LOG_LEVEL: 'WARN',
      ROOT_LOG_LEVEL: 'ERROR',
      CREATE_STREAM_DURATION: '50ms',
      REGISTER_STREAM_CONSUMER_DURATION: '50ms',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await waitForListeners(child, [plain, tls], timeoutMs);
  const cert = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')).server.cert as string;
  const endpoint = `http://127.0.0.1:${plain}`;
  const tlsEndpoint = `https://127.0.0.1:${tls}`;
  const clients: KinesisClient[] = [];
  const client = (region = 'eu-west-1') => {
    const c = new KinesisClient({
      region,
      endpoint,
      credentials: KINESIS_CREDENTIALS,
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 3,
    });
    clients.push(c);
    return c;
  };
  await waitUntilServing(client());
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    tlsEndpoint,
    client,
    subscribeClient: (region = 'eu-west-1') => {
      const c = new KinesisClient({
        region,
        endpoint: tlsEndpoint,
        credentials: KINESIS_CREDENTIALS,
        requestHandler: new EventStreamHttp2Handler(cert),
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    stop: () =>
      (stopped ??= (async () => {
        for (const c of clients) c.destroy();
        await stopProcess(child);
      })()),
  };
}

function waitForListeners(child: ChildProcess, ports: number[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`kinesis-local did not start: ${why}\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`not listening on ${ports.join(' and ')} within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const bound = [...output.matchAll(/LOOPBACK-LISTENING (\d+)/g)].map((m) => Number(m[1]));
      if (/EADDRINUSE/.test(output)) fail('EADDRINUSE');
      else if (ports.every((p) => bound.includes(p))) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`exited with code ${code}`));
  });
}

async function waitUntilServing(client: KinesisClient): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await client.send(new ListStreamsCommand({}));
      return;
    } catch (e) {
      if (i >= 50) throw new Error(`kinesis-local listens but does not answer ListStreams: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates a provisioned stream with `shards` shards and waits until it is ACTIVE; returns its ARN. */
export async function createKinesisStream(client: KinesisClient, name: string, shards = 1): Promise<string> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (let i = 0; i < 200; i++) {
    const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return d.StreamDescriptionSummary.StreamARN!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Kinesis stream ${name} did not become ACTIVE`);
}

/**
 * The smallest HTTP/2 handler that serves SubscribeToShard: one session per request, trusting the
 * server's own certificate, closed only when the event stream ends (see the file comment).
 */
class EventStreamHttp2Handler {
  private readonly sessions = new Set<ReturnType<typeof connect>>();
  constructor(private readonly ca: string) {}

  handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    return new Promise((resolve, reject) => {
      // The certificate is kinesis-mock's own (CN "Unknown"): trust exactly it, whatever the host name.
      const session = connect(`https://${request.hostname}:${request.port}`, { ca: this.ca, checkServerIdentity: () => undefined });
      this.sessions.add(session);
      session.once('error', reject);
      const stream = session.request({ ...request.headers, ':method': request.method, ':path': request.path });
      stream.once('response', (h) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) headers[k] = String(v);
        resolve({ response: { statusCode: Number(h[':status']), headers, body: stream } as HttpResponse });
      });
      stream.once('error', reject);
      stream.once('close', () => {
        session.destroy();
        this.sessions.delete(session);
      });
      stream.end(request.body);
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    for (const s of this.sessions) s.destroy();
  }
}
