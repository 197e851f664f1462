/**
 * A loopback TCP relay in front of a real server that can be shut: while shut, connections are
 * refused (nothing listens on the port), as when a region's endpoint is unreachable. Used to take
 * a DynamoDB Local "region" down and bring it back without losing its in-memory data.
 */
import { AddressInfo, createServer, Server, Socket, connect } from 'net';

export interface TcpGate {
  /** http://127.0.0.1:<gate port> */
  readonly endpoint: string;
  /** Request bytes clients sent through the relay so far (latin1), e.g. to read signing headers. */
  received(): string;
  open(): Promise<void>;
  /** Stops listening and cuts live connections: new ones get ECONNREFUSED. */
  shut(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  const sockets = new Set<Socket>();
  let received = '';
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => sock.destroy());
        }
        client.on('data', (chunk: Buffer) => (received = (received + chunk.toString('latin1')).slice(-1_000_000)));
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const shut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received: () => received,
    open: async () => {
      if (!server) await listen();
    },
    shut,
    stop: shut,
  };
}
