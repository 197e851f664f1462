/**
 * One loopback address for every region's DynamoDB Local, routed by the region each request is
 * signed for (SigV4's credential scope), as AWS routes by regional endpoint. Functions, the
 * workload and terraform keep the single endpoint they already use (AWS_ENDPOINT_URL_DYNAMODB has
 * no per-region form), while a region may live in its own DynamoDB Local process that can be
 * stopped and started again. While a region is down, requests signed for it are cut (the
 * connection is reset before any answer, as when nothing serves that region): clients see a
 * network error, never an answer.
 */
import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';

export interface RegionRouter {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** Cuts every request signed for `region` until `up(region)`. */
  down(region: string): void;
  up(region: string): void;
  /** Requests cut so far, by region. */
  readonly cut: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/** The region of a SigV4 Authorization header: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export function signedRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? '')?.[1];
}

/**
 * Routes requests signed for a region of `ports` to that port and every other request to
 * `defaultPort`.
 */
export async function startRegionRouter(defaultPort: number, ports: Readonly<Record<string, number>>): Promise<RegionRouter> {
  const downRegions = new Set<string>();
  const cut: Record<string, number> = {};
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const region = signedRegion(req.headers.authorization);
    if (region && downRegions.has(region)) {
      cut[region] = (cut[region] ?? 0) + 1;
      req.socket.destroy();
      return;
    }
    const port = (region && ports[region]) || defaultPort;
    const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    // The region's process went away mid-request: the client sees its connection cut, as the
    // region's own endpoint would do.
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  });
  // Clients keep connections alive across requests of every region.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    down: (region) => void downRegions.add(region),
    up: (region) => void downRegions.delete(region),
    cut,
    stop: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
