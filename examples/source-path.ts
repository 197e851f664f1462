import { existsSync } from 'fs';
import { dirname, join } from 'path';

/**
 * Absolute path of a source file of this repository. The examples run both from TypeScript (tests)
 * and compiled under dist/ (npm run synth), so `__dirname` alone does not find handler entries.
 */
export function sourcePath(relativeToRoot: string): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return join(dir, relativeToRoot);
}
