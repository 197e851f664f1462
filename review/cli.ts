#!/usr/bin/env node
/**
 * `review` CLI: a Markdown summary of what a change does to the infrastructure, for a PR comment.
 * Installed as the package's bin (`npx cdktf-dynamodb-streams-review <command>`, or
 * `cdktn-dynamodb-streams-review` for the CDK Terrain flavour); in this repository `npm run review --`.
 *
 *   node dist/review/cli.js plan --stack-dir cdktf.out/stacks/<name> [--stack-dir ...] [--no-refresh] [common options]
 *   node dist/review/cli.js plan-json <show.json> [--stack <name>] [common options]
 *   node dist/review/cli.js diff --base <cdktf.out|stack dir|cdk.tf.json> --head <...> [common options]
 *   common options: [--out review.md] [--fail-on-destructive] [--comment-key <key>] [--max-chars <n>]
 *
 * `plan` runs terraform init/plan/show in the stack folder with the caller's environment
 * (credentials, TF_CLI_CONFIG_FILE). Exit code 0, or 2 with --fail-on-destructive when the
 * warning section is not empty; 1 on errors. The review fits one GitHub comment (65,536
 * characters; --max-chars to change, 0 for no limit) and starts with a hidden marker carrying
 * --comment-key, by which a workflow finds and updates its sticky comment.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { basename, join, resolve } from 'path';
import { ChangeSet } from './changes';
import { renderReview } from './markdown';
import { Topology, topologyFromPlan, topologyFromSynths } from './topology';
import { changeSetFromPlans } from './plan-changes';
import { parsePlan, readPlanFile } from './plan-input';
import { changeSetFromSynths, loadSynth } from './synth-diff';

export const USAGE = `usage:
  review plan --stack-dir <dir> [--stack-dir <dir> ...] [--no-refresh] [options]
  review plan-json <show.json> [--stack <name>] [options]
  review diff --base <cdktf.out|stack dir|cdk.tf.json> --head <same> [options]
options:
  --out <file>             write the review there instead of printing it
  --fail-on-destructive    exit code 2 when there are alerts
  --comment-key <key>      key in the hidden marker <!-- cdktf-dynamodb-streams-review:<key> --> (default: default)
  --max-chars <n>          size limit of the comment (default 65536, GitHub's; 0: no limit)`;

interface Args {
  command: string;
  positional: string[];
  /** Last value of each option (flags: true). */
  options: Map<string, string | true>;
  /** Every value of each option, for the repeatable --stack-dir. */
  all: Map<string, string[]>;
}

const FLAGS = new Set(['--no-refresh', '--fail-on-destructive']);
const OPTIONS = new Set(['--stack-dir', '--stack', '--base', '--head', '--out', '--comment-key', '--max-chars']);

function parse(argv: string[]): Args {
  const [command = '', ...rest] = argv;
  const options = new Map<string, string | true>();
  const all = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (FLAGS.has(a)) options.set(a, true);
    else if (a.startsWith('--')) {
      if (!OPTIONS.has(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
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

function commentKey(args: Args): string | undefined {
  const key = args.options.get('--comment-key');
  return typeof key === 'string' ? key : undefined;
}

function maxChars(args: Args): number | undefined {
  const v = args.options.get('--max-chars');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || (n > 0 && n < 2000))
    throw new Error(`--max-chars ${JSON.stringify(v)}: expected 0 (no limit) or an integer of at least 2000`);
  return n;
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

/** The change set and, for the diagram, the references and regions of the configuration. */
function changeSet(args: Args): { set: ChangeSet; topology: Topology } {
  switch (args.command) {
    case 'plan': {
      required(args, '--stack-dir');
      const dirs = args.all.get('--stack-dir')!.map((d) => resolve(d));
      const topology: Topology = new Map();
      const plans = dirs.map((dir) => {
        const show = planStack(dir, !args.options.has('--no-refresh'));
        topologyFromPlan(show, basename(dir), topology);
        return { show, stack: basename(dir) };
      });
      return { set: changeSetFromPlans(plans), topology };
    }
    case 'plan-json': {
      const file = args.positional[0];
      if (!file) throw new Error('plan-json needs the path of a `terraform show -json` file');
      const stack = (args.options.get('--stack') as string | undefined) ?? basename(resolve(file, '..'));
      const show = readPlanFile(file);
      return { set: changeSetFromPlans([{ show, stack }]), topology: topologyFromPlan(show, stack) };
    }
    case 'diff': {
      const base = loadSynth(required(args, '--base'));
      const head = loadSynth(required(args, '--head'));
      return { set: changeSetFromSynths(base, head), topology: topologyFromSynths(base, head) };
    }
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
    const { set, topology } = changeSet(args);
    const review = renderReview(set, { topology, key: commentKey(args), maxChars: maxChars(args) });
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
