#!/usr/bin/env node
/**
 * `review` CLI: a Markdown summary of what a change does to the infrastructure, for a PR comment.
 * Installed as the package's bin (`npx cdktf-dynamodb-streams-review <command>`, or
 * `cdktn-dynamodb-streams-review` for the CDK Terrain flavour); in this repository `npm run review --`.
 *
 *   node dist/review/cli.js plan --stack-dir cdktf.out/stacks/<name> [--stack-dir ...] [--no-refresh] [--out review.md] [--fail-on-destructive]
 *   node dist/review/cli.js plan-json <show.json> [--stack <name>] [--out review.md] [--fail-on-destructive]
 *   node dist/review/cli.js diff --base <cdktf.out|stack dir|cdk.tf.json> --head <...> [--out review.md] [--fail-on-destructive]
 *
 * `plan` runs terraform init/plan/show in the stack folder with the caller's environment
 * (credentials, TF_CLI_CONFIG_FILE). Exit code 0, or 2 with --fail-on-destructive when the
 * warning section is not empty; 1 on errors.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, resolve } from 'path';
import { ChangeSet } from './changes';
import { renderReview } from './markdown';
import { changeSetFromPlans } from './plan-changes';
import { parsePlan, readPlanFile } from './plan-input';
import { changeSetFromSynths, loadSynth } from './synth-diff';

export const USAGE = `usage:
  review plan --stack-dir <dir> [--stack-dir <dir> ...] [--no-refresh] [--out <file>] [--fail-on-destructive]
  review plan-json <show.json> [--stack <name>] [--out <file>] [--fail-on-destructive]
  review diff --base <cdktf.out|stack dir|cdk.tf.json> --head <same> [--out <file>] [--fail-on-destructive]`;

interface Args {
  command: string;
  positional: string[];
  /** Last value of each option (flags: true). */
  options: Map<string, string | true>;
  /** Every value of each option, for the repeatable --stack-dir. */
  all: Map<string, string[]>;
}

const FLAGS = new Set(['--no-refresh', '--fail-on-destructive']);

function parse(argv: string[]): Args {
  const [command = '', ...rest] = argv;
  const options = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (FLAGS.has(a)) options.set(a, true);
    else if (a.startsWith('--')) {
      if (rest[i + 1] === undefined) throw new Error(`${a} needs a value`);
      options.set(a, rest[++i]);
      all.set(a, [...(all.get(a) ?? []), rest[i]]);
    } else positional.push(a);
  }
  return { command, positional, options, all };
}

function required(args: Args, name: string): string {
  const v = args.options.get(name);
  if (typeof v !== 'string') throw new Error(`${args.command} needs ${name} <value>`);
  return v;
}

/** terraform init + plan + show -json in `stackDir`; returns the parsed show output. */
export function planStack(stackDir: string, refresh: boolean): any {
  const scratch = mkdtempSync(join(tmpdir(), 'review-plan-'));
  const planFile = join(scratch, 'review.tfplan');
  const tf = (args: string[]) =>
    execFileSync('terraform', args, {
      cwd: stackDir,
      env: { ...process.env, TF_IN_AUTOMATION: '1' },
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    tf(['init', '-input=false', '-no-color']);
    tf(['plan', '-input=false', '-no-color', '-lock=false', `-refresh=${refresh}`, `-out=${planFile}`]);
    return parsePlan(tf(['show', '-json', planFile]), `terraform show -json in ${stackDir}`);
  } catch (e: any) {
    throw new Error(`terraform failed in ${stackDir}: ${e.stderr || e.message}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function changeSet(args: Args): ChangeSet {
  switch (args.command) {
    case 'plan': {
      required(args, '--stack-dir');
      const dirs = args.all.get('--stack-dir')!.map((d) => resolve(d));
      return changeSetFromPlans(dirs.map((dir) => ({ show: planStack(dir, !args.options.has('--no-refresh')), stack: basename(dir) })));
    }
    case 'plan-json': {
      const file = args.positional[0];
      if (!file) throw new Error('plan-json needs the path of a `terraform show -json` file');
      const stack = (args.options.get('--stack') as string | undefined) ?? basename(resolve(file, '..'));
      return changeSetFromPlans([{ show: readPlanFile(file), stack }]);
    }
    case 'diff':
      return changeSetFromSynths(loadSynth(required(args, '--base')), loadSynth(required(args, '--head')));
    default:
      throw new Error(`unknown command ${JSON.stringify(args.command)}\n${USAGE}`);
  }
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): number {
  try {
    const args = parse(argv);
    if (args.command === '' || args.command === '--help' || args.command === 'help') {
      out(USAGE + '\n');
      return args.command === '' ? 1 : 0;
    }
    const review = renderReview(changeSet(args));
    const file = args.options.get('--out');
    if (typeof file === 'string') writeFileSync(file, review.markdown);
    else out(review.markdown);
    return review.warnings > 0 && args.options.has('--fail-on-destructive') ? 2 : 0;
  } catch (e: any) {
    // The message only, never a stack trace: input errors are one line naming the file.
    process.stderr.write(`review: ${e?.message ?? e}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
