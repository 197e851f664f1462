/**
 * The handler bundles take the AWS SDK and Powertools from this repository's lockfile. Packages of
 * one release line share their core packages; mixing releases puts two copies of @aws-sdk/core,
 * @smithy/* or @aws-lambda-powertools/commons into a bundle (bigger cold starts, and errors that
 * fail `instanceof` across the copies). The lockfile must resolve each of them exactly once.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

test('GIVEN the lockfile WHEN its AWS SDK, Smithy and Powertools packages are listed THEN each resolves to one version', () => {
  const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8'));
  const versions = new Map<string, Set<string>>();
  for (const [path, info] of Object.entries<{ version: string }>(lock.packages)) {
    const name = path.split('node_modules/').pop()!;
    if (!/^@(aws-sdk|smithy|aws-lambda-powertools)\//.test(name)) continue;
    versions.set(name, (versions.get(name) ?? new Set()).add(info.version));
  }
  expect(versions.size).toBeGreaterThan(20);
  expect([...versions].filter(([, v]) => v.size > 1).map(([name, v]) => `${name}: ${[...v].join(', ')}`)).toEqual([]);
});
