/**
 * FAKE DynamoDB failures in front of a real DynamoDB Local: a loopback HTTP proxy that forwards
 * requests to the real server, or, when told to, answers them itself the way DynamoDB answers an
 * error (HTTP status + JSON `__type`), or accepts them and never answers (a target that hangs).
 * DynamoDB Local has no IAM, KMS or outages of its own, so these are the parts that are faked.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';

export type ProxyMode = { kind: 'forward' } | { kind: 'hang' } | { kind: 'error'; status: number; type: string; message?: string };

export interface FaultProxy {
  readonly endpoint: string;
  mode: ProxyMode;
  /** Requests answered by the fake (errors and hangs), not by DynamoDB Local. */
  readonly faked: number;
  /** Operations (X-Amz-Target) of every request received. */
  readonly operations: string[];
  stop(): Promise<void>;
}

export async function startFaultProxy(targetPort?: number): Promise<FaultProxy> {
  const hung = new Set<ServerResponse>();
  const state = { faked: 0 };
  const operations: string[] = [];
  const proxy: { mode: ProxyMode } = { mode: { kind: 'forward' } };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      operations.push(String(req.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, ''));
      const mode = proxy.mode;
      if (mode.kind === 'hang' || (mode.kind === 'forward' && targetPort === undefined)) {
        state.faked++;
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (mode.kind === 'error') {
        state.faked++;
        const body = JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${mode.type}`,
          message: mode.message ?? `injected ${mode.type}`,
        });
        res.writeHead(mode.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fake' });
        res.end(body);
        return;
      }
      const up = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 500, upRes.headers);
        upRes.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get mode() {
      return proxy.mode;
    },
    set mode(m: ProxyMode) {
      proxy.mode = m;
    },
    get faked() {
      return state.faked;
    },
    operations,
    stop: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
