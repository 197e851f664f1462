/**
 * Handler bundles: bytes of each, and the time a fresh Node process takes to load it and build
 * its clients (what a Lambda cold start pays before the first record), beside bundles that contain
 * nothing but a DynamoDBClient: esbuild's plain output (the Node credential chain included) and the
 * same with the environment credential provider. Reports; never asserts.
 *
 * Standalone: `node dist/bench/bundles.js` (after `npm run build`).
 */
import { execFileSync } from 'child_process';
import { build } from 'esbuild';
import { mkdtempSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { bundleHandlers, envCredentialsPlugin } from '../scripts/bundle-handlers';

const ROOT = resolve(__dirname, '..', '..');
const RUNS = 15;
const CLIENT_ONLY = `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nexports.client = new DynamoDBClient({});\n`;

/** A DynamoDBClient-only bundle, the way esbuild makes it with or without the credential swap. */
async function baseline(dir: string, name: string, envCredentials: boolean): Promise<string> {
  const out = await build({
    stdin: { contents: CLIENT_ONLY, resolveDir: ROOT, loader: 'js', sourcefile: `${name}.js` },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    write: false,
    logLevel: 'error',
    plugins: envCredentials ? [envCredentialsPlugin()] : [],
  });
  const path = join(dir, `${name}.js`);
  writeFileSync(path, out.outputFiles[0].contents);
  return path;
}

const PROBE = `
const t = process.hrtime.bigint();
const m = require(process.argv[1]);
if (m.createReplicateHandler) m.createReplicateHandler();
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));
`;

/** Milliseconds from require() to clients built, in a fresh process, as Lambda's init phase does. */
function loadMs(path: string): number {
  const out = execFileSync(process.execPath, ['-e', PROBE, path], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      REPLICATION_TARGETS: '[{"region":"us-east-1","table":"t"},{"region":"ap-southeast-2","table":"t"}]',
      REPLICATION_FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111111111111/failures',
      REPLICATION_STATE_TABLE: 'replication-state',
      NODE_NO_WARNINGS: '1',
    },
  });
  return Number(out);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;
const ratio = (x: number) => Math.round(x * 100) / 100;

export async function runBundleBench(): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-bench-'));
  const handlers = await bundleHandlers(join(dir, 'handlers'));
  const candidates: Record<string, string> = {
    'dynamodb-client-only (esbuild default)': await baseline(dir, 'client-plain', false),
    'dynamodb-client-only (env credentials)': await baseline(dir, 'client-env', true),
  };
  for (const h of handlers) candidates[`handler ${h.name}`] = h.path;
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (const k of Object.keys(candidates)) loadMs(candidates[k]); // warm the file cache
  // Interleaved, so machine noise hits every candidate alike.
  for (let i = 0; i < RUNS; i++) for (const [k, p] of Object.entries(candidates)) samples[k].push(loadMs(p));
  const plain = median(samples['dynamodb-client-only (esbuild default)']);
  const env = median(samples['dynamodb-client-only (env credentials)']);
  const report = Object.fromEntries(
    Object.entries(candidates).map(([k, p]) => {
      const ms = median(samples[k]);
      return [
        k,
        {
          bytes: statSync(p).size,
          loadAndClientsMedianMs: round(ms),
          vsClientOnlyDefault: ratio(ms / plain),
          vsClientOnlyEnvCredentials: ratio(ms / env),
        },
      ];
    }),
  );
  return { runs: RUNS, node: process.version, bundles: report };
}

if (require.main === module) {
  runBundleBench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
