/**
 * The consumer app of the consumer matrix (test/matrix/consumer-matrix.matrix.ts): this
 * repository's example app (examples/, copied next to this file with its imports pointed at the
 * installed package) plus a stack with every public construct the examples do not use.
 */
import { App } from 'cdktf';
import { buildExampleApp } from './examples/app';
import { everyConstructStack } from './every-construct';

const app = buildExampleApp(new App());
everyConstructStack(app, 'every-construct');
app.synth();
