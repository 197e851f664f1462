#!/usr/bin/env node
// @ts-check
/**
 * `npm run synth` and cdktf.json's `app`: the one-second synth loop. No type checking here
 * (`npm run typecheck`, incremental, and `npm test` report type errors): the handler bundles are
 * rebuilt when their inputs changed, main.ts is bundled by esbuild when one of our sources
 * changed (the packages it imports in a bundle of their own, rebuilt when they change), and
 * both run in this process with V8's code cache.
 */
const { bundleApp, bundleHandlers, runBundled } = require('./build');

bundleHandlers().then(
  () => runBundled(bundleApp('main.ts')),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
