/**
 * Bundles the library's own Lambda handlers once, at package build time (`npm run build`), into
 * build/handlers/<name>/index.js: esbuild, minified, node22, CommonJS, no source map, no
 * timestamps. The output depends only on the sources, so two builds are byte-identical and the
 * Terraform `source_code_hash` changes only when handler code does.
 *
 * Size: the AWS SDK is resolved through its ES module builds (tree-shaken; the CommonJS builds
 * drag in every protocol), and the Node default credential chain (SSO, INI files, process,
 * IMDS...) is replaced by the environment provider, which is what Lambda gives a function.
 */
import { build, Plugin } from 'esbuild';
import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { LIBRARY_HANDLER_ENTRIES } from '../handlers/contract';

/** Handler entries, by bundle name. client.ts is a library for applications, not a Lambda. */
export const HANDLER_ENTRIES: Record<string, string> = { ...LIBRARY_HANDLER_ENTRIES };

/**
 * Command-line tools shipped in the packages, bundled the same way so an installed package needs
 * none of the SDK clients they use; they run on the user's Node.js with the SDK's full credential
 * chain (profiles, SSO, ...), not the Lambda environment provider.
 */
export const CLI_ENTRIES: Record<string, string> = {
  'backfill-cli': 'handlers/backfill/cli.ts',
};

function projectRoot(): string {
  // Compiled: dist/scripts/bundle-handlers.js; under ts-jest: scripts/bundle-handlers.ts.
  return __dirname.includes(`${join('dist', 'scripts')}`) ? resolve(__dirname, '..', '..') : resolve(__dirname, '..');
}

/** Lambda puts the function role's credentials in AWS_ACCESS_KEY_ID & co.; nothing else is needed. */
export const ENV_CREDENTIALS_SOURCE = `
const { fromEnv } = require('@aws-sdk/credential-provider-env');
exports.defaultProvider = (init) => fromEnv(init);
`;

export function envCredentialsPlugin(): Plugin {
  return {
    name: 'lambda-env-credentials',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: 'lambda-env-credentials',
        namespace: 'lambda-env-credentials',
      }));
      b.onLoad({ filter: /.*/, namespace: 'lambda-env-credentials' }, () => ({
        contents: ENV_CREDENTIALS_SOURCE,
        loader: 'js',
        resolveDir: projectRoot(),
      }));
    },
  };
}

export interface BundleResult {
  readonly name: string;
  readonly path: string;
  readonly bytes: number;
}

export interface BundledCode {
  readonly code: Uint8Array;
  /** Source files that made it into the bundle (paths relative to the project root). */
  readonly inputs: string[];
}

/** Bundles one entry in memory (no files written); the exact options the package build uses. */
export async function bundleEntry(entry: string, root = projectRoot()): Promise<BundledCode> {
  const cli = Object.values(CLI_ENTRIES).includes(entry);
  const out = await build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    target: cli ? 'node20' : 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    sourcemap: false,
    write: false,
    logLevel: 'error',
    plugins: cli ? [] : [envCredentialsPlugin()],
  });
  return { code: out.outputFiles[0].contents, inputs: Object.keys(out.metafile.inputs) };
}

/** Bundles every handler into `outDir/<name>/index.js`. */
export async function bundleHandlers(outDir = join(projectRoot(), 'build', 'handlers')): Promise<BundleResult[]> {
  const root = projectRoot();
  return Promise.all(
    Object.entries({ ...HANDLER_ENTRIES, ...CLI_ENTRIES }).map(async ([name, entry]) => {
      const { code } = await bundleEntry(entry, root);
      const dir = join(outDir, name);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, 'index.js');
      writeFileSync(path, code);
      return { name, path, bytes: code.length };
    }),
  );
}

if (require.main === module) {
  bundleHandlers().then(
    (results) => {
      for (const r of results) console.log(`bundled ${r.name}: ${r.bytes} bytes -> ${r.path}`);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
