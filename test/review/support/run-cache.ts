/**
 * Text shared by the test files of one jest run, by key: the plan labs of plan-review,
 * plan-input and the CLI test converge the same prior states (2-3 plans and shows each, about
 * 40 s of CPU), and whichever file gets there first saves it for the others. Scoped to the run:
 * the folder is named after the jest process (pid and start time), so a later run starts empty
 * and plans everything for real again. Without /proc (not Linux) there is no cache: every file
 * plans for itself, as before.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface RunCache {
  get(key: string): string | undefined;
  set(key: string, text: string): void;
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
  return {
    get: (key) => (existsSync(file(key)) ? readFileSync(file(key), 'utf8') : undefined),
    set(key, text) {
      // Written whole, then renamed: another worker never reads half a file.
      const partial = `${file(key)}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, file(key));
    },
  };
}

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
