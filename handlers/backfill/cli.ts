#!/usr/bin/env node
/**
 * `cdktf-dynamodb-streams-backfill`: copies a replicated table's items from an existing region into
 * a newly added one (docs/backfill.md). Progress goes to stderr, the final summary (JSON) to
 * stdout. Exit codes: 0 done; 1 bad flags or the run failed (resumable); 2 done, but some items
 * could not be copied, or (--verify) are missing or behind in the target (listed in the summary);
 * 130 stopped by a signal (resumable).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { assumedRole } from '../common/clients';
import { BackfillOptions, BackfillSummary, fileCheckpoint, formatProgress, Progress, runBackfill } from './index';
import { optionProblems } from './options';

export const USAGE = `usage: cdktf-dynamodb-streams-backfill --source-region <region> --target-region <region> --table <name> [options]

Copies every item (tombstones included) of <table> in the source region into the target region's
table, each on the replica writers' condition (the target keeps what it holds when that is as new
or newer). Deploy the new region first; see docs/backfill.md for the order of steps.

  --target-table <name>        the target's table name, when it differs (default: --table)
  --source-endpoint <url>      --target-endpoint <url>     endpoint overrides (DynamoDB Local)
  --target-role-arn <arn>      role to assume for a target in another account
  --segments <n>               parallel Scan segments, 1..1000000, fixed per checkpoint (default 8)
  --scan-concurrency <n>       segments scanned at once (default min(segments, 4))
  --write-concurrency <n>      writes in flight, 1..1000 (default 32)
  --page-size <n>              items per Scan page (default: DynamoDB's 1 MB page)
  --rate <n>                   write requests per second, 0 for no limit (default 500)
  --burst <n>                  writes allowed at once after a pause (default: one second's worth)
  --max-retries <n>            retries of a throttled or failing request, 0..100 (default 10)
  --unversioned stamp|skip     items without a version: stamp them in the source first (default) or skip and list them
  --writer-function <name|arn> a deployed replica writer that writes into the target: omit and mask are taken from its configuration
  --omit <a,b>  --mask <a,b>   attributes the target region omits or masks (must match --writer-function's when both are given)
  --where <json>               the table's replicateItemsWhere pattern: copy only matching items (and tombstones)
  --verify                     check instead of copy: count items the target holds (same or newer version), lacks or holds older; writes nothing
  --checkpoint <file>          progress file, resumed when it exists (default backfill-<table>-<source>-to-<target>[-verify].json)
  --progress-seconds <n>       seconds between progress lines (default 10)
  --version-attribute, --origin-attribute, --deleted-attribute, --ttl-attribute, --written-for-attribute <name>
                               replication attribute names, when the writers use others (default _v _o _d _ttl _w)`;

type Kind = 'string' | 'number' | 'list' | 'switch';
/** Flag -> option it sets (dotted for nested) and how its value reads. */
const FLAGS: Record<string, { option: string; kind: Kind }> = {
  '--source-region': { option: 'source.region', kind: 'string' },
  '--target-region': { option: 'target.region', kind: 'string' },
  '--table': { option: 'source.table', kind: 'string' },
  '--target-table': { option: 'target.table', kind: 'string' },
  '--source-endpoint': { option: 'sourceEndpoint', kind: 'string' },
  '--target-endpoint': { option: 'targetEndpoint', kind: 'string' },
  '--target-role-arn': { option: 'targetRoleArn', kind: 'string' },
  '--segments': { option: 'segments', kind: 'number' },
  '--scan-concurrency': { option: 'scanConcurrency', kind: 'number' },
  '--write-concurrency': { option: 'writeConcurrency', kind: 'number' },
  '--page-size': { option: 'pageSize', kind: 'number' },
  '--rate': { option: 'itemsPerSecond', kind: 'number' },
  '--burst': { option: 'burst', kind: 'number' },
  '--max-retries': { option: 'maxRetries', kind: 'number' },
  '--unversioned': { option: 'unversioned', kind: 'string' },
  '--writer-function': { option: 'writerFunction', kind: 'string' },
  '--omit': { option: 'omit', kind: 'list' },
  '--mask': { option: 'mask', kind: 'list' },
  '--where': { option: 'replicateItemsWhere', kind: 'string' },
  '--checkpoint': { option: 'checkpoint', kind: 'string' },
  '--verify': { option: 'verify', kind: 'switch' },
  '--progress-seconds': { option: 'progressSeconds', kind: 'number' },
  '--version-attribute': { option: 'names.version', kind: 'string' },
  '--origin-attribute': { option: 'names.origin', kind: 'string' },
  '--deleted-attribute': { option: 'names.deleted', kind: 'string' },
  '--ttl-attribute': { option: 'names.ttl', kind: 'string' },
  '--written-for-attribute': { option: 'names.writtenFor', kind: 'string' },
};
const REQUIRED = ['--source-region', '--target-region', '--table'];

/** The flag that set `option` (the target's table comes from --table unless --target-table is given). */
function flagOf(option: string, values: CliArgs['values']): string {
  if (option === 'target.table' && !values.has(option)) return '--table';
  return Object.entries(FLAGS).find(([, f]) => f.option === option)?.[0] ?? option;
}

export class UsageError extends Error {}

/** Values by option name (as FLAGS maps them), and what was wrong with argv itself. */
export interface CliArgs {
  readonly values: Map<string, string | number | string[] | true>;
  readonly problems: string[];
  /** Required flags that are missing (their values are not checked further). */
  readonly missing: string[];
}

/** Reads argv strictly: unknown flags, missing values and repeated flags are problems. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const values = new Map<string, string | number | string[] | true>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const spec = FLAGS[flag];
    if (!spec) {
      if (!flag.startsWith('--')) problems.push(`unexpected argument ${JSON.stringify(flag)} (every value follows its flag)`);
      else {
        problems.push(`unknown flag ${flag}`);
        if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) i++;
      }
      continue;
    }
    if (spec.kind === 'switch') {
      values.set(spec.option, true);
      continue;
    }
    const raw = argv[i + 1];
    if (raw === undefined || (raw.startsWith('--') && FLAGS[raw])) {
      problems.push(`${flag} needs a value`);
      continue;
    }
    i++;
    if (values.has(spec.option)) problems.push(`${flag} is given more than once`);
    // A number that does not read as one stays text, so its problem quotes what was typed.
    const number = raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    values.set(
      spec.option,
      spec.kind === 'number'
        ? number
        : spec.kind === 'list'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw,
    );
  }
  const missing = REQUIRED.filter((f) => !values.has(FLAGS[f].option));
  for (const f of missing) problems.push(`${f} is required`);
  return { values, problems, missing };
}

export interface CliDeps {
  /** @default a DynamoDBClient with the default credential chain (an assumed role with roleArn) */
  readonly client?: (region: string, endpoint?: string, roleArn?: string) => DynamoDBClient;
  /** @default a LambdaClient of the writer's region (its ARN's, else the source region) */
  readonly lambda?: (region: string) => LambdaClient;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly signal?: AbortSignal;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((t) => process.stdout.write(t));
  const err = deps.stderr ?? ((t) => process.stderr.write(t));
  if (argv.includes('--help') || argv.includes('-h')) {
    out(USAGE + '\n');
    return 0;
  }
  let options: BackfillOptions;
  let progressSeconds: number;
  try {
    ({ options, progressSeconds } = toOptions(parseArgs(argv), deps));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(
      `${e.message
        .split('\n')
        .map((l) => `backfill: ${l}`)
        .join('\n')}\n(run with --help for every flag)\n`,
    );
    return 1;
  }
  const label = `${options.source.region}/${options.source.table} -> ${options.target.region}/${options.target.table}`;
  let lastPrint = 0;
  const print = (p: Progress) => err(`backfill ${label}: ${formatProgress(p)}\n`);
  err(`backfill ${label}: checkpoint ${options.checkpoint!.where}\n`);
  let summary: BackfillSummary;
  try {
    summary = await runBackfill({
      ...options,
      onProgress: (p) => {
        if (p.elapsedMs - lastPrint < progressSeconds * 1000 && p.segmentsDone < p.segmentsTotal) return;
        lastPrint = p.elapsedMs;
        print(p);
      },
    });
  } catch (e) {
    err(`backfill ${label}: ${(e as Error).message}\n`);
    return 1;
  }
  out(JSON.stringify(summary, null, 2) + '\n');
  if (summary.status === 'failed') {
    err(`backfill ${label}: stopped by an error; run the same command again to continue from the checkpoint: ${summary.error}\n`);
    return 1;
  }
  if (summary.status === 'stopped') {
    err(`backfill ${label}: stopped; run the same command again to continue from the checkpoint\n`);
    return 130;
  }
  if (summary.totals.failed > 0) {
    err(`backfill ${label}: done, but ${summary.totals.failed} items could not be copied (see "problems")\n`);
    return 2;
  }
  const unmatched = summary.totals.missing + summary.totals.behind;
  if (unmatched > 0) {
    err(
      `backfill ${label}: ${unmatched} items are missing or behind in the target (see "problems"); check them again once the writers have drained, or run the copy again\n`,
    );
    return 2;
  }
  return 0;
}

function toOptions(args: CliArgs, deps: CliDeps): { options: BackfillOptions; progressSeconds: number } {
  const v = (o: string) => args.values.get(o) as any;
  const problems = [...args.problems];
  for (const f of ['--source-endpoint', '--target-endpoint']) {
    const url = v(FLAGS[f].option);
    if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) problems.push(`${f} must be an http(s) URL (got ${JSON.stringify(url)})`);
  }
  const roleArn = v('targetRoleArn');
  if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn))
    problems.push(`--target-role-arn must be an IAM role ARN (got ${JSON.stringify(roleArn)})`);
  let where: Record<string, unknown> | undefined;
  if (v('replicateItemsWhere') !== undefined) {
    try {
      where = JSON.parse(v('replicateItemsWhere'));
    } catch (e) {
      problems.push(`--where must be a JSON filter pattern such as '{"tier":{"S":["gold"]}}' (${(e as Error).message})`);
    }
  }
  const progressSeconds = v('progressSeconds') ?? 10;
  if (!(typeof progressSeconds === 'number' && progressSeconds >= 0))
    problems.push(`--progress-seconds must be a number 0 or above (got ${JSON.stringify(progressSeconds)})`);
  const rate = v('itemsPerSecond');
  const sourceRegion = v('source.region');
  const targetRegion = v('target.region');
  const table = v('source.table');
  const names = Object.fromEntries(
    ['version', 'origin', 'deleted', 'ttl', 'writtenFor'].map((k) => [k, v(`names.${k}`)]).filter(([, x]) => x !== undefined),
  );
  // Clients come last: none is built for flags that are wrong.
  const noClient = undefined as unknown as DynamoDBClient;
  const options: BackfillOptions = {
    source: { region: sourceRegion, table, client: noClient },
    target: { region: targetRegion, table: v('target.table') ?? table, client: noClient, omit: v('omit'), mask: v('mask') },
    segments: v('segments'),
    scanConcurrency: v('scanConcurrency'),
    writeConcurrency: v('writeConcurrency'),
    pageSize: v('pageSize'),
    itemsPerSecond: rate === 0 ? Infinity : rate,
    burst: v('burst'),
    maxRetries: v('maxRetries'),
    unversioned: v('unversioned'),
    replicateItemsWhere: where,
    names,
    verify: v('verify') === true,
    checkpoint: fileCheckpoint(
      v('checkpoint') ?? `backfill-${table}-${sourceRegion}-to-${targetRegion}${v('verify') ? '-verify' : ''}.json`,
    ),
    signal: deps.signal,
  };
  problems.push(...optionProblems(options, (o) => flagOf(o, args.values)).filter((p) => !args.missing.some((f) => p.startsWith(`${f} `))));
  if (problems.length) throw new UsageError([...new Set(problems)].join('\n'));
  const client = deps.client ?? defaultClient;
  // A writer runs in a source region of the target; an ARN names its region, a name means the source's.
  const writer = (name: string | undefined) =>
    name === undefined
      ? undefined
      : {
          name,
          client: (deps.lambda ?? ((r) => new LambdaClient({ region: r, maxAttempts: 3 })))(
            /^arn:[^:]+:lambda:([^:]+):/.exec(name)?.[1] ?? sourceRegion,
          ),
        };
  return {
    options: {
      ...options,
      source: { ...options.source, client: client(sourceRegion, v('sourceEndpoint')) },
      target: {
        ...options.target,
        client: client(targetRegion, v('targetEndpoint'), roleArn),
        writerFunction: writer(v('writerFunction')),
      },
    },
    progressSeconds,
  };
}

function defaultClient(region: string, endpoint?: string, roleArn?: string): DynamoDBClient {
  return new DynamoDBClient({
    region,
    endpoint,
    maxAttempts: 3,
    credentials: roleArn ? assumedRole(roleArn, region, 'dynamodb-backfill') : undefined,
  });
}

if (require.main === module) {
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    process.stderr.write('backfill: stopping after the pages under way are saved (again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), { signal: stop.signal }).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`backfill: ${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
}
