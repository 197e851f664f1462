/**
 * `npm run test:unit`: the pure and synth-only tests, for the edit loop.
 *
 * A test file belongs here unless it, or a test helper it imports from test/ or local/ (followed
 * transitively), starts a process or needs a build: terraform, Java (DynamoDB Local), kinesis-local,
 * s3rver, the bundles in build/ or the compiled dist/. New test files are sorted automatically;
 * `npm test` still runs every file.
 */
const { existsSync, readdirSync, readFileSync, statSync } = require('fs');
const { dirname, join, relative, resolve } = require('path');
const base = require('./jest.config');

const ROOT = __dirname;
/** What a file that needs more than Node and the sources says somewhere in its text. */
const NEEDS_TOOLS =
  /\bterraform(In|Run)?\b|\bstartDynamoDbLocal\b|\bstartRegions\b|\brequireJava\b|dynamodb-local|kinesis-local|s3rver|child_process|['"`/]dist['"/]|['"`/]build['"/]|buildHandlers|api-extractor/;
/** Helpers whose imports are followed: the test harnesses and the local runtime. */
const FOLLOWED = [join(ROOT, 'test'), join(ROOT, 'local')];

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const target = resolve(dirname(from), spec);
  for (const candidate of [target, `${target}.ts`, `${target}.js`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function needsTools(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (NEEDS_TOOLS.test(text)) return true;
  for (const [, spec] of text.matchAll(/(?:from|import|require)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    const target = resolveImport(file, spec);
    if (target && FOLLOWED.some((dir) => target.startsWith(dir)) && needsTools(target, seen)) return true;
  }
  return false;
}

const unitTests = testFiles(join(ROOT, 'test')).filter((file) => !needsTools(file));

module.exports = {
  ...base,
  testMatch: undefined,
  // testRegex with one alternative per file: jest's CLI path filters still narrow it further.
  testRegex: unitTests.map((file) => `^${escapeRegExp(file)}$`),
};

function escapeRegExp(path) {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

if (require.main === module) console.log(unitTests.map((file) => relative(ROOT, file)).join('\n'));
