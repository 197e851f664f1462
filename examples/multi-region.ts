/**
 * A multi-region `customers` table: written in Europe and the US (multi-active, last write wins),
 * copied into Sydney as a read replica without the customers' e-mail address and with their
 * phone number and date of birth masked (data residency). Each writable region's stream has one
 * fan-out writer, so one reader stays free for the application's own consumer. Synthesizes
 * without an AWS account; `terraform plan` needs credentials for the three regions.
 */
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ReplicatedTable } from '../modules';

/** The regions of the example, home first. */
export const MULTI_REGION_REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'] as const;

export function multiRegionStack(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  const [home, us, sydney] = MULTI_REGION_REGIONS;
  const provider = (region: string) => new AwsProvider(stack, `aws-${region}`, { region, alias: region.replace(/-/g, '_') });

  const customers = new ReplicatedTable(stack, 'Customers', {
    tableName: 'customers',
    partitionKey: { name: 'pk', type: 'S' },
    globalSecondaryIndexes: [{ name: 'byEmail', partitionKey: { name: 'email', type: 'S' } }],
    home: { region: home, provider: provider(home) },
    replicas: [
      { region: us, provider: provider(us) },
      // Read replica: its items are incomplete, so writes made there must not flow back.
      {
        region: sydney,
        provider: provider(sydney),
        readReplica: true,
        omitAttributes: ['email'],
        maskAttributes: ['phone', 'dateOfBirth'],
      },
    ],
    tags: { app: 'customers' },
  });

  for (const r of customers.regions) {
    new TerraformOutput(stack, `table_arn_${r.region.replace(/-/g, '_')}`, {
      value: r.tableArn,
      description: `ARN of the customers table in ${r.region}`,
    });
    new TerraformOutput(stack, `stream_arn_${r.region.replace(/-/g, '_')}`, {
      value: r.streamArn,
      description: `Stream of the customers table in ${r.region}`,
    });
  }
  return stack;
}

if (require.main === module) {
  const app = new App();
  multiRegionStack(app, 'multi-region');
  app.synth();
}
