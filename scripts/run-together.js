#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/run-together.js a b ...`: runs the npm scripts a, b, ... at the same time and
 * fails if any fails, naming it. `npm test` type-checks (`typecheck`, all sources and tests) and
 * emits the declarations (`build:types`) this way: two single-threaded tsc runs of about 15 s
 * each, which one after the other left the second core idle before jest started.
 */
const { spawn } = require('child_process');

const scripts = process.argv.slice(2);
if (!scripts.length) {
  console.error('usage: node scripts/run-together.js <npm script> [<npm script> ...]');
  process.exit(2);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
Promise.all(
  scripts.map(
    (name) =>
      new Promise((resolve) => {
        const child = spawn(npm, ['run', '--silent', name], { stdio: 'inherit', shell: process.platform === 'win32' });
        child.on('error', (e) => resolve({ name, code: 1, error: e.message }));
        child.on('exit', (code, signal) => resolve({ name, code: code ?? 1, error: signal ? `killed by ${signal}` : undefined }));
      }),
  ),
).then((results) => {
  const failed = results.filter((r) => r.code !== 0);
  for (const r of failed) console.error(`npm run ${r.name} failed (exit code ${r.code}${r.error ? `, ${r.error}` : ''})`);
  process.exit(failed.length ? 1 : 0);
});
