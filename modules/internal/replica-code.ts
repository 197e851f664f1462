import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { LambdaCode } from './lambda-code';

const PACKAGE = 'cdktf-dynamodb-streams';

/** The package root (works from the sources, from dist/ and from node_modules). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === PACKAGE) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`replica writer: cannot find the ${PACKAGE} package root above ${__dirname}`);
    dir = up;
  }
}

/**
 * The replica writer's code: the bundle built once with the package (`npm run build` writes
 * build/handlers/replicate), so a user's synth does no bundling. A source checkout that was not
 * built yet bundles handlers/replicate.ts at synth time instead (cached by content hash).
 */
export function replicaWriterCode(): LambdaCode {
  const root = packageRoot();
  const bundled = join(root, 'build', 'handlers', 'replicate');
  if (existsSync(join(bundled, 'index.js'))) return { bundleDirectory: bundled };
  const entry = join(root, 'handlers', 'replicate.ts');
  if (existsSync(entry)) return { entry };
  throw new Error(`replica writer: neither ${bundled}/index.js nor ${entry} exists; run \`npm run build\` in ${root}`);
}
