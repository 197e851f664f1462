/**
 * Example app: `npm run synth` (or `npx cdktf synth`) writes Terraform for each stack into
 * cdktf.out/stacks/<name>; no AWS account is needed to synthesize. See examples/app.ts.
 */
import { App } from 'cdktf';
import { buildExampleApp } from './examples/app';

buildExampleApp(new App()).synth();
