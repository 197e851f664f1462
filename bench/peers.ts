/**
 * `npm run bench -- peers`: our synth beside the AWS CDK's, timed in the same run, alternating,
 * on the same machine. The AWS CDK app (bench/peers/aws-cdk-app.js, plain JavaScript) is
 * installed with its pinned aws-cdk-lib into build/cache/peers/aws-cdk on first use (npm registry)
 * and run as `cdk synth` runs an app: `node app.js`. Ours: `npm run synth` (the example app,
 * four stacks, as a user runs it) and one StreamPipeline with the same settings
 * (bench/peers/one-pipeline.ts, compiled). Median of 5 after a warm-up each.
 */
import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { median, round } from './measure';
import { measureCommand, TreeSample } from './process-tree';

const ROOT = join(__dirname, '..', '..');
const PEER_DIR = join(ROOT, 'build', 'cache', 'peers', 'aws-cdk');
export const AWS_CDK_LIB_VERSION = '2.276.0';
const CONSTRUCTS_VERSION = '10.5.0';

function installPeer(): void {
  const installed = join(PEER_DIR, 'node_modules', 'aws-cdk-lib', 'package.json');
  // aws-cdk-lib 2.276 wants constructs ^10.5 (ours is 10.4): the peer gets its own.
  if (!existsSync(installed) || JSON.parse(readFileSync(installed, 'utf8')).version !== AWS_CDK_LIB_VERSION) {
    mkdirSync(PEER_DIR, { recursive: true });
    writeFileSync(
      join(PEER_DIR, 'package.json'),
      JSON.stringify({ private: true, dependencies: { 'aws-cdk-lib': AWS_CDK_LIB_VERSION, constructs: CONSTRUCTS_VERSION } }, null, 2),
    );
    process.stderr.write(`installing aws-cdk-lib ${AWS_CDK_LIB_VERSION} into ${PEER_DIR} ...\n`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], {
      cwd: PEER_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0)
      throw new Error(
        `npm install of aws-cdk-lib ${AWS_CDK_LIB_VERSION} failed in ${PEER_DIR} (the peers benchmark needs the npm registry once)`,
      );
  }
  cpSync(join(ROOT, 'bench', 'peers', 'aws-cdk-app.js'), join(PEER_DIR, 'app.js'));
  cpSync(join(ROOT, 'bench', 'peers', 'handler'), join(PEER_DIR, 'handler'), { recursive: true });
}

export interface PeerFigures {
  readonly command: string;
  readonly medianWallMs: number;
  readonly medianPeakProcessRssMiB: number;
  readonly medianPeakTreeRssMiB: number;
}

export interface PeersResults {
  readonly awsCdkLib: string;
  readonly figures: PeerFigures[];
  /** AWS CDK app wall time divided by ours: above 1, our users wait less. */
  readonly ratios: Record<string, number>;
}

export async function runPeersBench(runs = 5): Promise<PeersResults> {
  installPeer();
  const out = mkdtempSync(join(tmpdir(), 'peers-'));
  const env = { ...process.env, CDKTF_OUTDIR: join(out, 'cdktf.out'), CDK_OUTDIR: join(out, 'cdk.out') };
  const commands: [string, string[], string][] = [
    ['npm run synth (example app, 4 stacks)', ['npm', 'run', '--silent', 'synth'], ROOT],
    [
      'node dist/bench/peers/one-pipeline.js (one StreamPipeline)',
      [process.execPath, join(ROOT, 'dist', 'bench', 'peers', 'one-pipeline.js')],
      ROOT,
    ],
    [`node app.js (AWS CDK ${AWS_CDK_LIB_VERSION}, one pipeline)`, [process.execPath, 'app.js'], PEER_DIR],
  ];
  const samples = new Map<string, TreeSample[]>(commands.map(([name]) => [name, []]));
  try {
    for (let i = 0; i <= runs; i++) {
      for (const [name, argv, cwd] of commands) {
        const s = await measureCommand(argv[0], argv.slice(1), { cwd, env });
        if (i > 0) samples.get(name)!.push(s);
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const figures = commands.map(([name]) => {
    const s = samples.get(name)!;
    return {
      command: name,
      medianWallMs: round(median(s.map((x) => x.wallMs))),
      medianPeakProcessRssMiB: round(median(s.map((x) => x.peakProcessRssMiB))),
      medianPeakTreeRssMiB: round(median(s.map((x) => x.peakTreeRssMiB))),
    };
  });
  const cdk = figures[2].medianWallMs;
  return {
    awsCdkLib: AWS_CDK_LIB_VERSION,
    figures,
    ratios: {
      [figures[0].command]: round(cdk / figures[0].medianWallMs, 2),
      [figures[1].command]: round(cdk / figures[1].medianWallMs, 2),
    },
  };
}
