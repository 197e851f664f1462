/**
 * One loopback address for every region's DynamoDB Local, routed by the region each request is
 * signed for (SigV4's credential scope), as AWS routes by regional endpoint. Functions, the
 * workload and terraform keep the single endpoint they already use (AWS_ENDPOINT_URL_DYNAMODB has
 * no per-region form), while a region may live in its own DynamoDB Local process that can be
 * stopped and started again. While a region is down, requests signed for it are cut (the
 * connection is reset before any answer, as when nothing serves that region): clients see a
 * network error, never an answer. The router runs in a child process (router-process.js): the
 * run's own process blocks while terraform applies the tables, and must not stall every region.
 */
import { ChildProcess, fork } from 'child_process';
import { existsSync } from 'fs';
import { dirname, join } from 'path';

export interface RegionRouter {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Cuts every request signed for `region` from now until `up(region)`. */
  down(region: string): Promise<void>;
  up(region: string): Promise<void>;
  /** Requests cut so far, by region. */
  readonly cut: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/** The region of a SigV4 Authorization header: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export function signedRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? '')?.[1];
}

/** The plain-JavaScript router, next to this file in the sources (dist/ has no copy of it). */
function routerScript(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'router-process.js'), join(dir, 'local', 'outage', 'router-process.js')])
      if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`local/outage/router-process.js not found above ${__dirname}`);
  }
}

/**
 * Routes requests signed for a region of `ports` to that port and every other request to
 * `defaultPort`.
 */
export async function startRegionRouter(defaultPort: number, ports: Readonly<Record<string, number>>): Promise<RegionRouter> {
  const child: ChildProcess = fork(routerScript(), [String(defaultPort), JSON.stringify(ports)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const cut: Record<string, number> = {};
  const acks = new Map<number, () => void>();
  let nextId = 0;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the region router exited (${code}) before listening`)));
    child.on('message', (msg: any) => {
      if (msg?.type === 'listening') resolve(msg.port);
      else if (msg?.type === 'cut') cut[msg.region] = (cut[msg.region] ?? 0) + 1;
      else if (msg?.type === 'ack') acks.get(msg.id)?.();
    });
  });
  const tell = (type: 'down' | 'up', region: string) =>
    new Promise<void>((resolve) => {
      const id = ++nextId;
      acks.set(id, () => {
        acks.delete(id);
        resolve();
      });
      child.send({ type, region, id });
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    down: (region) => tell('down', region),
    up: (region) => tell('up', region),
    cut,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
