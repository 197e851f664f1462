/**
 * Runs a handler bundle as Lambda would: in a clean Node process that knows only the environment
 * given (plus fake credentials, as Lambda provides them), with one event, and returns the handler's
 * result and the process output (structured logs and EMF metrics go to stdout).
 */
import { execFile } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FAKE_CREDENTIALS } from '../../support/dynamodb-local';

export interface BundleRun {
  /** Exit code; 0 when the handler resolved. */
  status: number;
  stdout: string;
  stderr: string;
  /** What the handler resolved to. */
  result: unknown;
  /** stdout lines that are JSON (logs, EMF). */
  json: any[];
}

// Asynchronous on purpose: fakes (SQS, STS, Lambda) answer from the test's own process.
export function runBundle(bundlePath: string, event: unknown, env: Record<string, string>): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'invoke-'));
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event));
  const script =
    `require(${JSON.stringify(bundlePath)}).handler(JSON.parse(require('fs').readFileSync(${JSON.stringify(eventPath)}, 'utf8')), { awsRequestId: 'req-1' })` +
    `.then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(3); })`;
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['-e', script],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
          AWS_SESSION_TOKEN: 'session',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const result = /RESULT (.*)/.exec(stdout);
        resolve({
          status: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stdout,
          stderr,
          result: result ? JSON.parse(result[1]) : undefined,
          json: stdout
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l)),
        });
      },
    );
    child.stdin?.end();
  });
}
