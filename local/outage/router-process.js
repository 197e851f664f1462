// @ts-check
/**
 * The region router's process (see region-router.ts; a different name, so that imports of
 * './region-router' never resolve to it). Plain JavaScript, run with `fork` from the
 * sources and from dist/ alike, so that it keeps serving while the process that started it is
 * blocked (terraform runs synchronously). argv: <default port> <JSON {region: port}>.
 * IPC in: {type: 'down' | 'up', region, id}; IPC out: {type: 'listening', port}, {type: 'ack', id},
 * {type: 'cut', region}.
 */
const { Agent, createServer, request } = require('http');

const defaultPort = Number(process.argv[2]);
/** @type {Record<string, number>} */
const ports = JSON.parse(process.argv[3] || '{}');
const down = new Set();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** @param {string | undefined} authorization */
function signedRegion(authorization) {
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(authorization || '');
  return m ? m[1] : undefined;
}

const server = createServer((req, res) => {
  const region = signedRegion(req.headers.authorization);
  if (region && down.has(region)) {
    if (process.send) process.send({ type: 'cut', region });
    req.socket.destroy();
    return;
  }
  const port = (region && ports[region]) || defaultPort;
  const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode || 502, upRes.headers);
    upRes.pipe(res);
  });
  // The region's process went away mid-request: the client sees its connection cut.
  up.on('error', () => req.socket.destroy());
  req.pipe(up);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (process.send && address && typeof address === 'object') process.send({ type: 'listening', port: address.port });
});
process.on('message', (/** @type {any} */ msg) => {
  if (msg.type === 'down') down.add(msg.region);
  if (msg.type === 'up') down.delete(msg.region);
  if (process.send) process.send({ type: 'ack', id: msg.id });
});
// Never outlive the run that started it.
process.on('disconnect', () => process.exit(0));
