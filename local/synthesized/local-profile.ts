/**
 * The local profile of a synthesized stack: the Terraform that creates its tables in DynamoDB
 * Local with the real hashicorp/aws provider. Only what DynamoDB Local requires changes:
 * - each aws provider reaches its region's DynamoDB Local (plus the offline settings: no account or
 *   metadata lookups, and the local credentials: DynamoDB Local keeps one database per access key
 *   and region, so the provider must sign as the local runtime does). When every region is served
 *   by one endpoint (one DynamoDB Local keeps the regions' databases apart), terraform is given it
 *   as AWS_ENDPOINT_URL_DYNAMODB (`environment`) instead of an `endpoints` block: with that block,
 *   every hashicorp/aws 5.100 process costs about three times the CPU (a plan of the three-region
 *   example's tables: 34.6 s of CPU with the block, 10.4 s without);
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
  /** What terraform's environment must add (the shared DynamoDB Local endpoint, when there is one). */
  readonly environment: Readonly<Record<string, string>>;
  /** The DynamoDB Local endpoint of each provider configuration's region, by alias ('' for the default one). */
  readonly endpointOf: Readonly<Record<string, string>>;
}

/** Where the aws provider (aws-sdk-go-v2) takes DynamoDB's endpoint from when no `endpoints` block names one. */
export const DYNAMODB_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_DYNAMODB';

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
  for (const region of usedRegions) if (!endpoints[region]) throw new Error(`no DynamoDB Local endpoint for region ${region}`);
  const distinct = [...new Set([...usedRegions].map((r) => endpoints[r]))];
  const shared = distinct.length === 1 ? distinct[0] : undefined;
  const endpointOf: Record<string, string> = {};
  const provider = providers.map((p: Record<string, any>) => {
    const endpoint = endpoints[p.region];
    if (endpoint) endpointOf[p.alias ?? ''] = endpoint;
    const credentials = { access_key: FAKE_CREDENTIALS.accessKeyId, secret_key: FAKE_CREDENTIALS.secretAccessKey };
    return { ...p, ...OFFLINE_PROVIDER_SETTINGS, ...credentials, ...(endpoint && !shared ? { endpoints: [{ dynamodb: endpoint }] } : {}) };
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
    environment: shared ? { [DYNAMODB_ENDPOINT_ENV]: shared } : {},
    endpointOf,
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
