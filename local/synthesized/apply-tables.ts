/**
 * `terraform apply` of a stack's local profile (local-profile.ts) with the real hashicorp/aws
 * provider, offline, into DynamoDB Local; and the way back (`destroy`).
 */
import { UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { dynamoClient } from '../dynamodb-local';
import { stackFolder, terraformIn } from '../terraform';
import { destroyableProfile, LocalProfile, TABLE } from './local-profile';

export interface AppliedProfile {
  /** The folder terraform ran in (state, configuration). */
  readonly dir: string;
  /** `terraform output` values, by output name. */
  readonly outputs: Record<string, unknown>;
  /** Lifts deletion protection and prevent_destroy, then destroys every table. */
  destroy(): Promise<void>;
}

export function applyProfile(profile: LocalProfile): AppliedProfile {
  const tf = terraformIn(stackFolder(profile.json), { offlineProviders: false, inPlace: true, env: profile.environment });
  tf.run(['init', '-input=false', '-no-color']);
  tf.run(['apply', '-auto-approve', '-input=false', '-no-color', '-lock=false', '-refresh=false']);
  // Read from the state file: `terraform output` would start the provider again.
  const state = JSON.parse(readFileSync(join(tf.dir, 'terraform.tfstate'), 'utf8'));
  const outputs = Object.fromEntries(Object.entries<any>(state.outputs ?? {}).map(([k, v]) => [k, v.value]));
  return {
    dir: tf.dir,
    outputs,
    async destroy() {
      // Deletion protection is lifted through the API, as an operator would: an apply would also
      // try to "fix" what DynamoDB Local cannot store or describe (tags, SSE, GSI names as
      // hashicorp/aws 5.100 reads them back) and fail on it.
      for (const table of Object.values<any>(profile.json.resource[TABLE])) {
        if (!table.deletion_protection_enabled) continue;
        const { region, endpoint } = providerOf(profile, table);
        if (!endpoint) throw new Error(`no DynamoDB Local endpoint for the provider of table ${table.name}`);
        const client = dynamoClient(endpoint, region);
        try {
          await client.send(new UpdateTableCommand({ TableName: table.name, DeletionProtectionEnabled: false }));
        } finally {
          client.destroy();
        }
      }
      writeFileSync(join(tf.dir, 'cdk.tf.json'), JSON.stringify(destroyableProfile(profile.json)));
      tf.run(['destroy', '-auto-approve', '-input=false', '-no-color', '-lock=false']);
    },
  };
}

/** The region and DynamoDB Local endpoint of the provider configuration a table uses. */
function providerOf(profile: LocalProfile, table: Record<string, any>): { region: string; endpoint: string | undefined } {
  const alias = typeof table.provider === 'string' ? table.provider.replace(/^aws\./, '') : undefined;
  const p = profile.json.provider.aws.find((x: any) => (alias ? x.alias === alias : !x.alias));
  return { region: p.region, endpoint: profile.endpointOf[p.alias ?? ''] };
}
