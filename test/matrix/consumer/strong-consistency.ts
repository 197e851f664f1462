/**
 * A strongly consistent global table (MRSC), three replicas and two plus a witness, in an app of
 * its own (cdktf.out.mrsc): on a hashicorp/aws 5.x binding the constructs refuse it, and a refused
 * construction leaves a half-built stack that must not reach the main app's output. The matrix
 * reads the stack on the 6.x rows and the refusal (mrsc-refused.json) on the 5.x row.
 */
import { writeFileSync } from 'fs';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ReplicatedTable, ValidationError } from 'cdktf-dynamodb-streams';

export function strongConsistencyApp(): void {
  const app = new App({ outdir: 'cdktf.out.mrsc' });
  const stack = new TerraformStack(app, 'mrsc');
  const provider = (region: string) => new AwsProvider(stack, `aws-${region}`, { region, alias: region.replace(/-/g, '_') });
  const [east1, east2, west2] = [provider('us-east-1'), provider('us-east-2'), provider('us-west-2')];
  const key = { name: 'pk', type: 'S' as const };
  try {
    new ReplicatedTable(stack, 'Ledger', {
      tableName: 'ledger',
      partitionKey: key,
      mode: 'global-table',
      globalTableConsistency: 'strong',
      home: { region: 'us-east-1', provider: east1 },
      replicas: [
        { region: 'us-east-2', provider: east2 },
        { region: 'us-west-2', provider: west2 },
      ],
    });
    new ReplicatedTable(stack, 'Accounts', {
      tableName: 'accounts',
      partitionKey: key,
      mode: 'global-table',
      globalTableConsistency: 'strong',
      home: { region: 'us-east-1', provider: east1 },
      replicas: [{ region: 'us-east-2', provider: east2 }],
      witnessRegion: 'us-west-2',
    });
    app.synth();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    writeFileSync('mrsc-refused.json', JSON.stringify(e.problems));
  }
}
