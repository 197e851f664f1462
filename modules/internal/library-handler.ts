import { existsSync } from 'fs';
import { dirname, join } from 'path';
import { LIBRARY_HANDLER_ENTRIES, LibraryHandler } from '../../handlers/contract';
import type { LambdaCode } from '../props/function';

/**
 * The package root: the nearest folder above this file with a package.json. That is the repository
 * root for the sources and for dist/, and the installed package's own folder under node_modules,
 * whichever flavour (cdktf-dynamodb-streams or cdktn-dynamodb-streams) it is installed as.
 */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}: the library's handler bundles cannot be found`);
  }
}

/**
 * Code of one of the library's own handlers (`replicate`, `drain-backlog`, `redrive`): the bundle
 * built once with the package (`npm run build` writes build/handlers/<name>), so a user's synth
 * does no bundling.
 * Both package flavours ship build/handlers; a checkout that was not built yet bundles the
 * handler's source at synth time instead (cached by content hash).
 */
export function libraryHandlerCode(name: LibraryHandler): LambdaCode {
  const root = packageRoot();
  const bundled = join(root, 'build', 'handlers', name);
  if (existsSync(join(bundled, 'index.js'))) return { bundleDirectory: bundled };
  const entry = join(root, LIBRARY_HANDLER_ENTRIES[name]);
  if (existsSync(entry)) return { entry };
  throw new Error(
    `the ${name} handler: neither ${bundled}/index.js nor ${LIBRARY_HANDLER_ENTRIES[name]} exists; run \`npm run build\` in ${root}`,
  );
}
