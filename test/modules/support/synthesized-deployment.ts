/**
 * Runs what a synthesized ReplicatedTable stack describes, on DynamoDB Local instances standing in
 * for the regions: one table per `aws_dynamodb_table` (name and keys from the JSON; the writers'
 * state tables too, since the writer reads its state table's name from its environment), and one real
 * replica writer (handlers/replicate/index.ts) per `aws_lambda_function`, configured by nothing but the
 * function's synthesized environment. Test-only additions: the endpoints of the local regions and
 * the fake SQS queue URL in place of the Terraform reference to the real queue (both can be
 * recording endpoints, and the writers can use the handler's own Lambda clients: DeployOptions).
 * The mapping's synthesized filter criteria are applied to each record before delivery, as Lambda does.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { createReplicateHandler, ReplicateHandler, ReplicateHandlerOptions } from '../../../handlers/replicate';
import { configFromEnv, ReplicationConfig } from '../../../handlers/replicate/config';
import { streamsClient } from '../../support/dynamodb-local';
import { createStreamTable, StreamReader } from '../../support/streams';
import { DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { createSynthesizedTable } from '../../../local/synthesized/create-tables';
import { createDrainHandler, DrainConfig, DrainHandler, drainConfigFromEnv } from '../../../handlers/replicate/drain-backlog';
import { deliver, localClients, World } from '../../handlers/support/world';

export interface SynthesizedWriter {
  readonly id: string;
  readonly region: string;
  readonly env: Record<string, string>;
  readonly config: ReplicationConfig;
  readonly handler: ReplicateHandler;
  readonly filters: unknown[];
}

/** A writer's backlog drainer (the function its schedule runs), configured by its synthesized environment. */
export interface SynthesizedDrainer {
  readonly id: string;
  readonly region: string;
  readonly config: DrainConfig;
  readonly handler: DrainHandler;
}

export interface SynthesizedDeployment {
  readonly tableName: string;
  readonly readers: Record<string, StreamReader>;
  readonly writers: SynthesizedWriter[];
  readonly drainers: SynthesizedDrainer[];
}

/** Region of a resource from its `provider` alias and the stack's provider blocks. */
export function regionOf(json: any, resource: any): string {
  const alias = String(resource.provider ?? '').replace(/^aws\./, '');
  const p = [json.provider.aws].flat().find((x: any) => x.alias === alias);
  if (!p) throw new Error(`no aws provider with alias ${alias}`);
  return p.region;
}

export interface DeployOptions {
  /** Where writers reach a region's tables. @default that region's DynamoDB Local */
  readonly endpoint?: (region: string) => string;
  /** Where a writer reaches a region's table as a target (e.g. through a relay that can be shut). @default `endpoint` */
  readonly targetEndpoint?: (region: string) => string;
  /** The writers' clock. @default Date.now */
  readonly now?: () => number;
  /** Where a writer parks, from its failure queue's synthesized name. @default the world's fake SQS queue */
  readonly failureQueueUrl?: (queueName: string) => string;
  /**
   * The writers' clients: `'test'` (fake credentials), or `'lambda'` for the handler's own default,
   * as in Lambda: the environment's credentials and region, assumed roles, SQS at the queue URL.
   * @default 'test'
   */
  readonly clients?: 'test' | 'lambda';
  /** More environment for a writer's or drainer's construction and invocations (its credentials, AWS_REGION). */
  readonly env?: (writer: { id: string; region: string }) => Record<string, string>;
  readonly onInvocation?: (writerId: string, summary: Parameters<NonNullable<ReplicateHandlerOptions['onInvocation']>>[0]) => void;
}

export async function deploySynthesized(world: World, json: any, options: DeployOptions = {}): Promise<SynthesizedDeployment> {
  const endpoint = options.endpoint ?? ((region: string) => world.local[region].endpoint);
  const readers: Record<string, StreamReader> = {};
  const names = new Set<string>();
  for (const t of Object.values(json.resource.aws_dynamodb_table) as any[]) {
    const region = regionOf(json, t);
    if (!t.stream_enabled) {
      // The writers' state and backlog tables, with the key schema they were synthesized with.
      await createKeyedTable(world.ddb[region], t);
      continue;
    }
    names.add(t.name);
    const arn = await createStreamTable(world.ddb[region], t.name, { partitionKey: t.hash_key, sortKey: t.range_key });
    readers[region] = new StreamReader(streamsClient(world.local[region].endpoint, region), arn, region);
  }
  if (names.size !== 1) throw new Error(`expected one replicated table, found ${[...names].join(', ')}`);

  const mappings = Object.values(json.resource.aws_lambda_event_source_mapping ?? {}) as any[];
  const functions = Object.entries(json.resource.aws_lambda_function ?? {}) as [string, any][];
  const invoked = (id: string) => mappings.some((m) => m.function_name === `\${aws_lambda_function.${id}.arn}`);
  const localTargets = (env: Record<string, string>) =>
    JSON.stringify(
      JSON.parse(env.REPLICATION_TARGETS).map((t: any) => ({ ...t, endpoint: (options.targetEndpoint ?? endpoint)(t.region) })),
    );
  // The functions no mapping invokes are the backlog drainers their schedules run.
  const drainers: SynthesizedDrainer[] = functions
    .filter(([id]) => !invoked(id))
    .map(([id, fn]) => {
      const region = regionOf(json, fn);
      const env: Record<string, string> = fn.environment.variables;
      const config = drainConfigFromEnv({ ...env, REPLICATION_TARGETS: localTargets(env), REPLICATION_SOURCE_ENDPOINT: endpoint(region) });
      const clients = options.clients === 'lambda' ? undefined : localClients();
      const vars = {
        POWERTOOLS_SERVICE_NAME: env.POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: env.POWERTOOLS_METRICS_NAMESPACE,
        ...options.env?.({ id, region }),
      };
      const inner = withEnv(vars, () => createDrainHandler({ config, clients, now: options.now }));
      const handler: DrainHandler = (event, context) => withEnv(vars, () => inner(event, context));
      return { id, region, config, handler };
    });
  const writers: SynthesizedWriter[] = functions
    .filter(([id]) => invoked(id))
    .map(([id, fn]) => {
      const region = regionOf(json, fn);
      const env: Record<string, string> = fn.environment.variables;
      const queueName = json.resource.aws_sqs_queue[/^\$\{aws_sqs_queue\.([^.]+)\.url\}$/.exec(env.REPLICATION_FAILURE_QUEUE_URL)![1]].name;
      const config = configFromEnv({
        ...env,
        REPLICATION_TARGETS: localTargets(env),
        REPLICATION_FAILURE_QUEUE_URL: options.failureQueueUrl?.(queueName) ?? world.sqs.queueUrl,
        REPLICATION_SOURCE_ENDPOINT: endpoint(region),
      });
      // Powertools reads its service name and namespace from the environment (per-target metrics
      // are built during invocations), so each invocation runs with the function's variables set.
      const vars = {
        POWERTOOLS_SERVICE_NAME: env.POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: env.POWERTOOLS_METRICS_NAMESPACE,
        ...options.env?.({ id, region }),
      };
      const onInvocation =
        options.onInvocation && ((summary: Parameters<DeployOptions['onInvocation'] & {}>[1]) => options.onInvocation!(id, summary));
      const clients = options.clients === 'lambda' ? undefined : localClients();
      const inner = withEnv(vars, () => createReplicateHandler({ config, clients, onInvocation, now: options.now }));
      const handler: ReplicateHandler = (event, context) => withEnv(vars, () => inner(event, context));
      const mapping = mappings.find((m) => m.function_name === `\${aws_lambda_function.${id}.arn}`);
      if (!mapping) throw new Error(`no mapping invokes ${id}`);
      const filters = (mapping.filter_criteria?.filter ?? []).map((f: any) => JSON.parse(f.pattern));
      return { id, region, env, config, handler, filters };
    });
  return { tableName: [...names][0], readers, writers, drainers };
}

async function createKeyedTable(client: DynamoDBClient, t: any): Promise<void> {
  try {
    await createSynthesizedTable(client, t);
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
}

/** Runs `run` (sync or async) with `vars` set in process.env, restoring them afterwards. */
function withEnv<T>(vars: Record<string, string>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const restore = () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  Object.assign(process.env, vars);
  let result: T;
  try {
    result = run();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * Lambda's filter rule for the patterns the construct writes: every field of a pattern must
 * match; an array lists the allowed values; an object descends. A record passes when any pattern
 * matches (no patterns: every record passes).
 */
export function passesFilters(record: DynamoDBRecord, patterns: unknown[]): boolean {
  if (!patterns.length) return true;
  const matches = (value: any, pattern: any): boolean => {
    if (Array.isArray(pattern)) return pattern.some((p) => JSON.stringify(p) === JSON.stringify(value));
    if (pattern && typeof pattern === 'object')
      return !!value && typeof value === 'object' && Object.entries(pattern).every(([k, p]) => matches(value[k], p));
    throw new Error(`unsupported filter pattern ${JSON.stringify(pattern)}`);
  };
  return patterns.some((p) => matches(record, p));
}

export interface PumpCounts {
  delivered: number;
  filteredOut: number;
}

/** Feeds every region's new stream records to its writers until every stream is quiet. */
export async function pumpSynthesized(dep: SynthesizedDeployment): Promise<PumpCounts> {
  const counts: PumpCounts = { delivered: 0, filteredOut: 0 };
  for (let round = 0; round < 50; round++) {
    let any = false;
    for (const [region, reader] of Object.entries(dep.readers)) {
      const fresh = await reader.readNew();
      await deliverSynthesized(dep, region, fresh, counts);
      any = any || fresh.length > 0;
    }
    if (!any) return counts;
  }
  throw new Error('streams did not go quiet after 50 rounds');
}

/** Delivers records of `region`'s stream to each writer of that region, through its mapping's filters. */
export async function deliverSynthesized(
  dep: SynthesizedDeployment,
  region: string,
  records: DynamoDBRecord[],
  counts: PumpCounts = { delivered: 0, filteredOut: 0 },
): Promise<PumpCounts> {
  for (const w of dep.writers.filter((x) => x.region === region)) {
    const passing = records.filter((r) => passesFilters(r, w.filters));
    counts.filteredOut += records.length - passing.length;
    counts.delivered += passing.length;
    if (passing.length) await deliver(w.handler, passing, 100, 5);
  }
  return counts;
}
