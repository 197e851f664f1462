/**
 * Runs a command and measures what a user waits for and what the machine holds: wall time (spawn
 * to exit) and peak resident memory, both of the largest single process and of the whole process
 * tree at once (`npm run x` is npm, a shell and the script). Memory is sampled from /proc every
 * few milliseconds, so a peak shorter than that may be missed; RSS mostly grows until exit.
 */
import { spawn } from 'child_process';
import { readFileSync } from 'fs';

export interface TreeSample {
  wallMs: number;
  /** Largest RSS of any one process of the tree, MiB. */
  peakProcessRssMiB: number;
  /** Largest sum of the RSS of every process alive at one moment, MiB. */
  peakTreeRssMiB: number;
}

const SAMPLE_EVERY_MS = 5;

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function tree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...children(out[i]));
  return out;
}

export function measureCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<TreeSample> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    let peakProcess = 0;
    let peakTree = 0;
    const sample = () => {
      if (!child.pid) return;
      const rss = tree(child.pid).map(rssKiB);
      peakProcess = Math.max(peakProcess, ...rss);
      peakTree = Math.max(
        peakTree,
        rss.reduce((a, b) => a + b, 0),
      );
    };
    const timer = setInterval(sample, SAMPLE_EVERY_MS);
    child.once('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr}`));
      resolve({ wallMs, peakProcessRssMiB: peakProcess / 1024, peakTreeRssMiB: peakTree / 1024 });
    });
  });
}
