import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { LambdaCode } from './lambda-code';

const PACKAGE = 'cdktf-dynamodb-streams';

function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === PACKAGE) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`redrive function: cannot find the ${PACKAGE} package root above ${__dirname}`);
    dir = up;
  }
}

/**
 * The redrive function's code: the bundle built with the package (build/handlers/redrive) when
 * there is one, so a user's synth does no bundling; otherwise the handler's source (a checkout) or
 * its compiled JavaScript (the published package), bundled at synth time behind the content-hash cache.
 */
export function redriveCode(): LambdaCode {
  const root = packageRoot();
  const bundled = join(root, 'build', 'handlers', 'redrive');
  if (existsSync(join(bundled, 'index.js'))) return { bundleDirectory: bundled };
  for (const entry of [join(root, 'handlers', 'redrive.ts'), join(root, 'dist', 'handlers', 'redrive.js')]) {
    if (existsSync(entry)) return { entry };
  }
  throw new Error(`redrive function: neither ${bundled}/index.js nor handlers/redrive.ts exists; run \`npm run build\` in ${root}`);
}
