/**
 * Synthesizes one stack holding a table replicated across 5 regions (multi-active, one fan-out
 * writer per region, alarms and the dashboard): 5 tables and 5 writers with their roles, queues,
 * alarm topics and 35 alarms. Run as its own process by the bench runner, which measures wall time
 * and peak memory; output goes to $CDKTF_OUTDIR.
 */
import { App, TerraformStack } from 'cdktf';
import { ReplicatedTable } from '../modules';

export const BENCH_REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-2', 'sa-east-1'];

export function replicatedSynthApp(outdir = process.env.CDKTF_OUTDIR): App {
  const app = new App({ outdir, skipValidation: false });
  const stack = new TerraformStack(app, 'replicated-5-regions');
  const [home, ...replicas] = BENCH_REGIONS;
  new ReplicatedTable(stack, 'Accounts', {
    tableName: 'accounts',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [{ name: 'byEmail', partitionKey: { name: 'email', type: 'S' } }],
    home: { region: home },
    replicas: replicas.map((region) => ({ region })),
  });
  return app;
}

if (require.main === module) replicatedSynthApp().synth();
