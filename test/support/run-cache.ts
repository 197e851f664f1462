/**
 * Text shared by the test files of one jest run, by key: the plan labs of the review files need
 * the same prior states, plans (support/review-plans.ts) and provider schema, and whichever file
 * gets there first makes them for the others (`once`: the others wait). Scoped to the run:
 * the folder is named after the jest process (pid and start time), so a later run starts empty
 * and plans everything for real again. Without /proc (not Linux) there is no cache: every file
 * plans for itself, as before.
 */
import { createHash } from 'crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface RunCache {
  get(key: string): string | undefined;
  set(key: string, text: string): void;
  /**
   * The text under `key`, made by `make` if no file of the run made it yet. One file makes it
   * while the others wait for it (a file lock), so no two workers spend the same terraform CPU.
   */
  once(key: string, make: () => string): string;
}

const PREFIX = 'plan-lab-run-';

/** The run's cache; none when PLAN_LAB_RUN_CACHE=off (to compare a lab with one that plans everything itself). */
export function runCache(): RunCache | undefined {
  if (process.env.PLAN_LAB_RUN_CACHE === 'off') return undefined;
  // A jest worker is a child of the jest process; a file run in band is in the jest process.
  const jest = process.send ? process.ppid : process.pid;
  const started = processStart(jest);
  if (started === undefined) return undefined;
  const dir = join(tmpdir(), `${PREFIX}${jest}-${started}`);
  if (!existsSync(dir)) {
    removeFinishedRuns();
    mkdirSync(dir, { recursive: true });
  }
  const file = (key: string) => join(dir, createHash('sha256').update(key).digest('hex'));
  const get = (key: string) => (existsSync(file(key)) ? readFileSync(file(key), 'utf8') : undefined);
  const set = (key: string, text: string) => {
    // Written whole, then renamed: another worker never reads half a file.
    const partial = `${file(key)}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file(key));
  };
  const once = (key: string, make: () => string): string => {
    for (;;) {
      const known = get(key);
      if (known !== undefined) return known;
      if (!takeLock(`${file(key)}.lock`)) {
        sleep(250);
        continue;
      }
      try {
        const text = get(key) ?? make();
        set(key, text);
        return text;
      } finally {
        rmSync(`${file(key)}.lock`, { force: true });
      }
    }
  };
  return { get, set, once };
}

/**
 * Creates `lock` holding this process id; false while another live process holds it. The lock
 * of a process that died (a worker killed mid-plan) is taken over, so nobody waits forever.
 */
function takeLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx'));
    writeFileSync(lock, String(process.pid));
    return true;
  } catch (e: any) {
    if (e.code !== 'EEXIST') throw e;
  }
  const owner = Number(contentOf(lock));
  // An empty lock file is one being written this instant: its owner is alive.
  if (owner && !alive(owner)) rmSync(lock, { force: true });
  return false;
}

const contentOf = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
}

/** Blocks this worker (plan lab calls are synchronous, like the terraform runs they wait for). */
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Caches of runs whose jest process is gone. */
function removeFinishedRuns(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${PREFIX}(\\d+)-(\\d+)$`).exec(name);
    if (m && processStart(Number(m[1])) !== m[2]) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}
