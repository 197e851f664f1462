/**
 * The local profile of a synthesized stack: the Terraform that creates its tables in DynamoDB
 * Local with the real hashicorp/aws provider. Only what DynamoDB Local requires changes:
 * - each aws provider gets the endpoint of its region's DynamoDB Local (plus the offline settings:
 *   no account or metadata lookups, and the local credentials: DynamoDB Local keeps one database
 *   per access key and region, so the provider must sign as the local runtime does);
 * - point-in-time recovery is switched off (DynamoDB Local has no UpdateContinuousBackups);
 * - the resources DynamoDB Local cannot hold (functions, queues, alarms...) are left out, with
 *   the outputs, locals and data sources that need them; the backend is the working folder's.
 * Every other table setting (keys, GSIs, LSIs, TTL, stream, billing, tags, deletion protection,
 * prevent_destroy) is the synthesized one. A table that references something left out (a KMS
 * key, a variable) cannot be created locally and is refused by name.
 */
import { FAKE_CREDENTIALS } from '../dynamodb-local';
import { OFFLINE_PROVIDER_SETTINGS } from '../terraform';
import { expressionsIn, pathOf, referencesIn, regionOf, SynthesizedStack } from './stack';

export const TABLE = 'aws_dynamodb_table';

export interface LocalProfile {
  readonly json: Record<string, any>;
  /** Logical ids of the tables it creates. */
  readonly tables: string[];
}

export function localProfile(stack: SynthesizedStack, endpoints: Readonly<Record<string, string>>): LocalProfile {
  const json = stack.json;
  const tables: Record<string, any> = JSON.parse(JSON.stringify(json.resource?.[TABLE] ?? {}));
  const problems: string[] = [];
  for (const [id, table] of Object.entries(tables)) {
    for (const expr of expressionsIn(table)) {
      const refs = referencesIn(expr);
      if (!refs.length || refs.some((r) => r.type !== TABLE || !tables[r.id]))
        problems.push(`${pathOf(TABLE, id, table)}: ${expr} cannot be resolved without AWS`);
    }
    if (table.point_in_time_recovery) table.point_in_time_recovery = { ...table.point_in_time_recovery, enabled: false };
    delete table.point_in_time_recovery?.recovery_period_in_days;
  }
  if (problems.length) throw new Error(`these tables cannot be created in DynamoDB Local:\n- ${problems.join('\n- ')}`);

  const providers = [json.provider?.aws].flat().filter(Boolean);
  const usedRegions = new Set(Object.values(tables).map((t) => regionOf(stack, t)));
  const provider = providers.map((p: Record<string, any>) => {
    const endpoint = endpoints[p.region];
    if (!endpoint && usedRegions.has(p.region)) throw new Error(`no DynamoDB Local endpoint for region ${p.region}`);
    const credentials = { access_key: FAKE_CREDENTIALS.accessKeyId, secret_key: FAKE_CREDENTIALS.secretAccessKey };
    return { ...p, ...OFFLINE_PROVIDER_SETTINGS, ...credentials, ...(endpoint ? { endpoints: [{ dynamodb: endpoint }] } : {}) };
  });
  const outputs = Object.fromEntries(
    Object.entries(json.output ?? {}).filter(([, o]) =>
      expressionsIn(o).every((e) => referencesIn(e).length > 0 && referencesIn(e).every((r) => r.type === TABLE && tables[r.id])),
    ),
  );
  const { backend: _backend, ...terraform } = json.terraform ?? {};
  return {
    json: {
      terraform,
      provider: { aws: provider },
      resource: { [TABLE]: tables },
      ...(Object.keys(outputs).length ? { output: outputs } : {}),
    },
    tables: Object.keys(tables),
  };
}

/**
 * Terraform JSON with the tables' prevent_destroy lifted, which is what anyone must change before
 * destroying tables with the constructs' safe defaults (apply-tables.ts lifts deletion
 * protection itself).
 */
export function destroyableProfile(json: Record<string, any>): Record<string, any> {
  const copy = JSON.parse(JSON.stringify(json));
  for (const table of Object.values<any>(copy.resource[TABLE])) {
    const { prevent_destroy: _lifted, ...lifecycle } = table.lifecycle ?? {};
    table.lifecycle = lifecycle;
  }
  return copy;
}
