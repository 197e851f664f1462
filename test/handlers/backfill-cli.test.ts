/**
 * The backfill CLI: every bad flag is reported at once, before any client is built or any table is
 * read, each naming the flag, the value and what is allowed; then runs against two DynamoDB Local
 * instances, in process and as a real process (the CLI bundled by esbuild, stopped by SIGINT).
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ChildProcess, spawn } from 'child_process';
import { build } from 'esbuild';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main, USAGE } from '../../handlers/backfill/cli';
import { dynamoClient, FAKE_CREDENTIALS } from '../support/dynamodb-local';
import { AP, checkpointPath, createTables, EU, seedSource, startTwoRegions, TwoRegions } from './support/backfill-tables';
import { scanAll, uniqueTable } from './support/world';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    client: () => {
      throw new Error('no client may be built for bad flags');
    },
  });
  return { code, stdout, stderr };
}

const REQUIRED = ['--source-region', 'eu-west-1', '--target-region', 'ap-southeast-2', '--table', 'customers'];

test('GIVEN --help WHEN run THEN the usage goes to stdout and it exits 0', async () => {
  const r = await run(['--help']);
  expect(r).toEqual({ code: 0, stdout: USAGE + '\n', stderr: '' });
  for (const flag of ['--segments', '--rate', '--checkpoint', '--unversioned', '--where', '--omit', '--mask', '--target-role-arn'])
    expect(USAGE).toContain(flag);
});

test('GIVEN no flags WHEN run THEN it names the three required flags and exits 1', async () => {
  const r = await run([]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    [
      'backfill: --source-region is required',
      'backfill: --target-region is required',
      'backfill: --table is required',
      '(run with --help for every flag)',
      '',
    ].join('\n'),
  );
});

test('GIVEN out-of-range numbers, a bad enum and names WHEN run THEN every problem is listed with the flag, the value and what is allowed', async () => {
  const r = await run([
    ...REQUIRED,
    '--segments',
    '0',
    '--scan-concurrency',
    '9',
    '--write-concurrency',
    'lots',
    '--page-size',
    '2.5',
    '--rate',
    '-3',
    '--burst',
    '0',
    '--max-retries',
    '101',
    '--unversioned',
    'copy',
    '--progress-seconds',
    'x',
    '--version-attribute',
    '_o',
  ]);
  expect(r.code).toBe(1);
  expect(r.stderr.split('\n')).toEqual([
    'backfill: --progress-seconds must be a number 0 or above (got "x")',
    "backfill: --segments must be an integer 1..1000000 (Scan's TotalSegments range) (got 0)",
    'backfill: --write-concurrency must be an integer 1..1000 (got "lots")',
    'backfill: --page-size must be an integer 1..9007199254740991 (got 2.5)',
    'backfill: --burst must be an integer 1..9007199254740991 (got 0)',
    'backfill: --max-retries must be an integer 0..100 (got 101)',
    'backfill: --rate must be a number above 0 (got -3)',
    'backfill: --unversioned must be one of "stamp", "skip" (got "copy")',
    'backfill: --version-attribute, --origin-attribute, --deleted-attribute, --ttl-attribute, --written-for-attribute must be distinct (got _o, _o, _d, _ttl, _w)',
    '(run with --help for every flag)',
    '',
  ]);
});

test('GIVEN more concurrent scans than segments, the same table as source and target, and bad names WHEN run THEN each is refused', async () => {
  const r = await run([
    '--source-region',
    'eu-west-1',
    '--target-region',
    'eu-west-1',
    '--table',
    'customers',
    '--segments',
    '2',
    '--scan-concurrency',
    '3',
  ]);
  expect(r.stderr).toContain('backfill: --scan-concurrency must be an integer 1..2 (no more than the segments) (got 3)');
  expect(r.stderr).toContain(
    'backfill: --target-region and --table must name another table than the source (both are eu-west-1/customers)',
  );
  const names = await run([
    '--source-region',
    'EU West',
    '--target-region',
    'ap-southeast-2',
    '--table',
    'x',
    '--target-table',
    'ok-table',
  ]);
  expect(names.stderr.split('\n').slice(0, 2)).toEqual([
    'backfill: --source-region must be a region name of a-z, 0-9 and "-" (got "EU West")',
    'backfill: --table must be a DynamoDB table name: 3..255 of a-z, A-Z, 0-9, "_", "-", "." (got "x")',
  ]);
});

test('GIVEN unknown, repeated, valueless flags and stray arguments WHEN run THEN each is named', async () => {
  const r = await run([...REQUIRED, '--segment', '4', '--rate', '10', '--rate', '20', 'extra', '--checkpoint']);
  expect(r.code).toBe(1);
  expect(r.stderr.split('\n').slice(0, 4)).toEqual([
    'backfill: unknown flag --segment',
    'backfill: --rate is given more than once',
    'backfill: unexpected argument "extra" (every value follows its flag)',
    'backfill: --checkpoint needs a value',
  ]);
});

test('GIVEN a bad endpoint, role ARN or --where pattern WHEN run THEN each is refused with what is allowed', async () => {
  const r = await run([...REQUIRED, '--source-endpoint', 'localhost:8000', '--target-role-arn', 'role/x', '--where', '{tier:gold}']);
  expect(r.stderr).toContain('backfill: --source-endpoint must be an http(s) URL (got "localhost:8000")');
  expect(r.stderr).toContain('backfill: --target-role-arn must be an IAM role ARN (got "role/x")');
  expect(r.stderr).toMatch(/backfill: --where must be a JSON filter pattern such as '\{"tier":\{"S":\["gold"\]\}\}' \(.*JSON.*\)/);
  const op = await run([...REQUIRED, '--where', '{"tier":{"S":[{"wildcard":"g*"}]}}']);
  expect(op.stderr).toContain(
    'backfill: --where must be a filter pattern object on item attributes, such as {"tier":{"S":["gold"]}}: filter pattern 0.dynamodb.NewImage.tier.S: operator "wildcard" is not applied by the redrive',
  );
});

describe('against DynamoDB Local', () => {
  let regions: TwoRegions;
  let cli: string;
  beforeAll(async () => {
    [regions, cli] = await Promise.all([startTwoRegions(), bundleCli()]);
  });
  afterAll(async () => {
    await regions?.stop();
  });

  const flags = (table: string, checkpoint: string, extra: string[] = []) => [
    ...['--source-region', EU, '--target-region', AP, '--table', table],
    ...[
      '--source-endpoint',
      regions.endpoints[EU],
      '--target-endpoint',
      regions.endpoints[AP],
      '--checkpoint',
      checkpoint,
      '--rate',
      '0',
      '--progress-seconds',
      '0',
    ],
    ...extra,
  ];

  test('GIVEN a table WHEN the CLI copies it THEN progress goes to stderr, the summary to stdout, and a second run finds the checkpoint complete', async () => {
    const table = uniqueTable('cli');
    await createTables(regions.source, regions.target, table);
    await seedSource(regions.source, table, { versioned: 30, tombstones: 5, unversioned: 5 });
    const checkpoint = checkpointPath();
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t: string) => (stdout += t),
      stderr: (t: string) => (stderr += t),
      client: (region: string, endpoint?: string) => dynamoClient(endpoint!, region),
    };
    expect(await main(flags(table, checkpoint, ['--segments', '2', '--page-size', '10']), io)).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({
      status: 'complete',
      resumed: false,
      totals: { scanned: 40, copied: 40, stamped: 5, tombstones: 5 },
      checkpoint,
    });
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe(`backfill ${EU}/${table} -> ${AP}/${table}: checkpoint ${checkpoint}`);
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(
        `^backfill ${EU}/${table} -> ${AP}/${table}: segments 2/2 \\| scanned 40 of ~40 \\| copied 40 \\| stale 0 \\| stamped 5 \\| skipped 0 \\| failed 0 \\| [\\d,]+ items/s \\| ETA 0s$`,
      ),
    );
    stdout = '';
    expect(await main(flags(table, checkpoint, ['--segments', '2']), io)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'complete',
      resumed: true,
      thisRun: { scanCalls: 0, scanned: 0 },
      totals: { scanned: 40 },
    });
    stdout = '';
    stderr = '';
    expect(await main(flags(table, checkpointPath(), ['--verify']), io)).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      mode: 'verify',
      status: 'complete',
      totals: { scanned: 40, present: 40, missing: 0, behind: 0, copied: 0 },
    });
    expect(stderr).toMatch(
      /segments 8\/8 \| scanned 40 of ~40 \| present 40 \| missing 0 \| behind 0 \| skipped 0 \| [\d,]+ items\/s \| ETA 0s\n$/,
    );
  });

  test('GIVEN a target that lacks items WHEN the CLI verifies THEN it lists them and exits 2', async () => {
    const table = uniqueTable('cli-verify');
    await createTables(regions.source, regions.target, table);
    await seedSource(regions.source, table, { versioned: 3, tombstones: 0, unversioned: 0 });
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t: string) => (stdout += t),
      stderr: (t: string) => (stderr += t),
      client: (region: string, endpoint?: string) => dynamoClient(endpoint!, region),
    };
    expect(await main(flags(table, checkpointPath(), ['--verify']), io)).toBe(2);
    expect(JSON.parse(stdout).totals).toMatchObject({ missing: 3, present: 0 });
    expect(stderr).toContain('3 items are missing or behind in the target (see "problems")');
  });

  test('GIVEN the CLI as a process WHEN stopped by SIGINT mid-run THEN it saves, exits 130, and the same command finishes the job', async () => {
    const table = uniqueTable('sigint');
    await createTables(regions.source, regions.target, table);
    await seedSource(regions.source, table, { versioned: 60, tombstones: 0, unversioned: 0 });
    const checkpoint = checkpointPath();
    const args = flags(table, checkpoint, ['--segments', '1', '--page-size', '5', '--write-concurrency', '1']);
    // 10 writes a second: slow enough to be stopped after the first page.
    const slow = args.map((a, i) => (args[i - 1] === '--rate' ? '10' : a)).concat(['--burst', '1']);
    let interrupted = false;
    const first = await spawnCli(cli, slow, (stderr, child) => {
      if (!interrupted && stderr.includes('| scanned 5 ')) interrupted = child.kill('SIGINT');
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('backfill: stopping after the pages under way are saved (again to quit at once)');
    const stopped = JSON.parse(first.stdout);
    expect(stopped.status).toBe('stopped');
    expect(stopped.totals.scanned).toBeLessThan(60);
    const second = await spawnCli(cli, args);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'complete', resumed: true, totals: { scanned: 60, copied: 60 } });
    expect((await scanAll(regions.target, table)).length).toBe(60);
    const bad = await spawnCli(cli, ['--segments', '0']);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect(bad.stderr).toContain("backfill: --segments must be an integer 1..1000000 (Scan's TotalSegments range) (got 0)");
  });

  test('GIVEN an item the target cannot take WHEN the CLI runs THEN it finishes, lists the item, and exits 2', async () => {
    const table = uniqueTable('cli-failed');
    await createTables(regions.source, regions.target, table);
    await seedSource(regions.source, table, { versioned: 3, tombstones: 0, unversioned: 0 });
    const probe = { pk: { S: 'big' }, _v: { S: '1700000000000#eu-west-1#abc' }, name: { S: 'x' }, fill: { S: '' } };
    const used = Object.entries(probe).reduce((n, [k, v]) => n + k.length + v.S.length, 0);
    await regions.source.send(new PutItemCommand({ TableName: table, Item: { ...probe, fill: { S: 'y'.repeat(400 * 1024 - 1 - used) } } }));
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: (t: string) => (stdout += t),
      stderr: (t: string) => (stderr += t),
      client: (region: string, endpoint?: string) => dynamoClient(endpoint!, region),
    };
    expect(await main(flags(table, checkpointPath(), ['--mask', 'name']), io)).toBe(2);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ status: 'complete', totals: { scanned: 4, copied: 3, failed: 1 } });
    expect(summary.problems).toEqual([
      {
        kind: 'failed',
        key: '{"pk":{"S":"big"}}',
        reason: `409601 bytes for ${AP}/${table} after masking, over DynamoDB's 409600-byte item limit`,
      },
    ]);
    expect(stderr).toContain(`backfill ${EU}/${table} -> ${AP}/${table}: done, but 1 items could not be copied (see "problems")`);
  });
});

async function bundleCli(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'backfill-cli-')), 'cli.js');
  await build({
    entryPoints: [join(__dirname, '..', '..', 'handlers', 'backfill', 'cli.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    logLevel: 'silent',
  });
  return out;
}

/** Runs the bundled CLI in a fresh process with fake credentials; `watch` sees stderr as it comes. */
function spawnCli(
  cli: string,
  args: string[],
  watch?: (stderr: string, child: ChildProcess) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      watch?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
