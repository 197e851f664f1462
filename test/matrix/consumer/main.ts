/**
 * The consumer app of the consumer matrix (test/matrix/consumer-matrix.matrix.ts): this
 * repository's example app (examples/, copied next to this file with its imports pointed at the
 * installed package) plus a stack with every public construct the examples do not use, and a
 * strongly consistent global table in an app of its own (./strong-consistency.ts).
 */
import { App } from 'cdktf';
import { buildExampleApp } from './examples/app';
import { everyConstructStack } from './every-construct';
import { strongConsistencyApp } from './strong-consistency';

const app = buildExampleApp(new App());
everyConstructStack(app, 'every-construct');
app.synth();
strongConsistencyApp();
