#!/usr/bin/env node
// @ts-check
/**
 * `npm run synth` and cdktf.json's `app`: the one-second synth loop. No type checking here
 * (`npm run typecheck`, incremental, and `npm test` report type errors): the handler bundles are
 * rebuilt when their inputs changed, main.ts is bundled by esbuild with everything it imports
 * when any of those files changed, and the bundle runs in this process with V8's code cache.
 */
const { bundleApp, bundleHandlers, runBundled } = require('./build');

bundleHandlers().then(
  () => runBundled(bundleApp('main.ts')),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
