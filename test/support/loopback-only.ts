/**
 * Environment that makes a child process (DynamoDB Local's JVM) listen on 127.0.0.1 only.
 * See loopback-only.c for why. The shim is compiled once per content hash into build/cache.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'fs';
import { join, resolve } from 'path';

const SOURCE = join(__dirname, 'loopback-only.c');

export function loopbackOnlyShim(): string {
  const source = readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = resolve(__dirname, '../../build/cache');
  const lib = join(dir, `loopback-only-${hash}.so`);
  if (existsSync(lib)) return lib;
  mkdirSync(dir, { recursive: true });
  const tmp = `${lib}.${process.pid}.tmp`;
  try {
    execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', tmp, SOURCE, '-ldl'], { stdio: 'pipe' });
  } catch (e: any) {
    throw new Error(`could not compile the loopback-only shim for DynamoDB Local (needs a C compiler, \`cc\`): ${e.stderr ?? e.message}`);
  }
  renameSync(tmp, lib);
  return lib;
}

/** Variables to add to the JVM's environment. */
export function loopbackOnlyEnv(): Record<string, string> {
  return { LD_PRELOAD: loopbackOnlyShim(), JAVA_TOOL_OPTIONS: '-Djava.net.preferIPv4Stack=true' };
}
