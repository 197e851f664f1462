import { existsSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type { LambdaCode } from '../props/function';

const PACKAGE = 'cdktf-dynamodb-streams';

/** The package root (works from the sources, from dist/ and from node_modules). */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === PACKAGE) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${PACKAGE} package root above ${__dirname}`);
    dir = up;
  }
}

/**
 * Code of one of the library's own handlers (`replicate`, `redrive`): the bundle built once with
 * the package (`npm run build` writes build/handlers/<name>), so a user's synth does no bundling.
 * A checkout that was not built yet bundles the handler's source at synth time instead (cached by
 * content hash), as does a package whose build folder is missing (its compiled JavaScript).
 */
export function libraryHandlerCode(name: string): LambdaCode {
  const root = packageRoot();
  const bundled = join(root, 'build', 'handlers', name);
  if (existsSync(join(bundled, 'index.js'))) return { bundleDirectory: bundled };
  for (const entry of [join(root, 'handlers', `${name}.ts`), join(root, 'dist', 'handlers', `${name}.js`)]) {
    if (existsSync(entry)) return { entry };
  }
  throw new Error(`the ${name} handler: neither ${bundled}/index.js nor handlers/${name}.ts exists; run \`npm run build\` in ${root}`);
}
