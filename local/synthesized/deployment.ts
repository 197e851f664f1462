/**
 * What a synthesized stack deploys, run locally: every `aws_lambda_event_source_mapping` with a
 * DynamoDB stream source becomes a local event source mapping on the applied table's real
 * stream (DynamoDB Local), invoking its function from the very deployment zip Terraform
 * references, with the function's synthesized settings and environment (references resolved by
 * local-account.ts). Scheduled functions (the writers' backlog drainers) run on a short local
 * interval (schedules.ts). Functions reach DynamoDB Local and the local sink through the SDK's
 * standard endpoint variables, so their code runs unchanged. Everything is derived from the
 * JSON: a stack that gains a table, a variable or a filter runs with it.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import { dynamoClient, FAKE_CREDENTIALS, streamsClient } from '../dynamodb-local';
import { FunctionDefinition, LocalFunction } from '../lambda/function-host';
import { unzipTo } from '../lambda/zip-reader';
import { EventSourceMapping, MappingListener } from '../mapping/event-source-mapping';
import { mappingSettings } from '../mapping/settings';
import type { LocalSink } from '../sink';
import { functionArn, LocalAccount, LocalTable } from './local-account';
import { LocalSchedule, ScheduleListener, scheduledFunctions } from './schedules';
import { pathOf, regionOf, Resource, resourceOf, resourcesOf, SynthesizedStack, wholeReference } from './stack';

export interface DeploymentOptions {
  readonly stack: SynthesizedStack;
  /** DynamoDB Local endpoint; it keeps one database per region (started with sharedDb: false). */
  readonly endpoint: string;
  readonly sink: LocalSink;
  /** Where deployment zips are unpacked. */
  readonly workDir: string;
  /** Every line a function prints. */
  log?(functionName: string, line: string): void;
  readonly listener?: MappingListener;
  readonly pollIntervalMs?: number;
  readonly retryBackoffMs?: (retry: number) => number;
  /** How often each scheduled function runs locally. @default 1000 */
  readonly scheduleIntervalMs?: number;
  readonly scheduleListener?: ScheduleListener;
}

export interface DeployedTable extends LocalTable {
  readonly id: string;
  readonly partitionKey: string;
  readonly resource: Resource;
}

export interface DeployedMapping {
  readonly id: string;
  readonly mapping: EventSourceMapping;
  readonly table: DeployedTable;
  readonly function: LocalFunction;
  readonly resource: Resource;
}

export class LocalDeployment {
  private invocations = 0;

  private constructor(
    readonly tables: Record<string, DeployedTable>,
    readonly functions: Record<string, LocalFunction>,
    readonly mappings: DeployedMapping[],
    readonly schedules: LocalSchedule[],
  ) {}

  static async start(options: DeploymentOptions): Promise<LocalDeployment> {
    const { stack } = options;
    const tables = await describeTables(stack, options.endpoint);
    const account = new LocalAccount({ stack, tables, queueUrl: (name) => options.sink.queueUrl(name) });
    const functions: Record<string, LocalFunction> = {};
    const mappings: DeployedMapping[] = [];
    let deployment: LocalDeployment | undefined;
    const listener: MappingListener = {
      ...options.listener,
      invoked: (...args) => {
        if (deployment) deployment.invocations++;
        options.listener?.invoked?.(...args);
      },
    };
    const host = (functionId: string): LocalFunction =>
      (functions[functionId] ??= new LocalFunction(functionDefinition(stack, functionId, account, options.workDir), {
        extraEnvironment: {
          AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
          AWS_SESSION_TOKEN: 'local-session',
          AWS_ENDPOINT_URL_DYNAMODB: options.endpoint,
          AWS_ENDPOINT_URL_DYNAMODB_STREAMS: options.endpoint,
          AWS_ENDPOINT_URL_SQS: options.sink.endpoint,
        },
        log: (line) => options.log?.(functions[functionId].definition.name, line),
      }));
    for (const [id, resource] of resourcesOf(stack, 'aws_lambda_event_source_mapping')) {
      const where = pathOf('aws_lambda_event_source_mapping', id, resource);
      const source = wholeReference(resource.event_source_arn);
      if (source?.type !== 'aws_dynamodb_table' || source.attribute !== 'stream_arn') {
        throw new Error(
          `${where}: only DynamoDB stream sources run locally (event_source_arn is ${JSON.stringify(resource.event_source_arn)})`,
        );
      }
      const table = tables[source.id];
      if (!table.streamArn) throw new Error(`${where}: table ${table.name} has no stream in DynamoDB Local`);
      const fn = host(targetFunction(stack, resource.function_name, where));
      const settings = mappingSettings(where, resource);
      const destination = settings.onFailureDestination
        ? account.resolve(settings.onFailureDestination, `${where}: destination_config`)
        : undefined;
      const mapping = new EventSourceMapping({
        name: where,
        streams: streamsClient(options.endpoint, table.region),
        streamArn: table.streamArn,
        region: table.region,
        settings,
        partitionKey: table.partitionKey,
        functionArn: fn.definition.arn,
        invoke: (event) => fn.invoke(event),
        onFailure: destination ? async (record) => options.sink.deliver(destination, JSON.stringify(record)) : undefined,
        pollIntervalMs: options.pollIntervalMs,
        retryBackoffMs: options.retryBackoffMs,
        listener,
      });
      mappings.push({ id, mapping, table, function: fn, resource });
    }
    const schedules = scheduledFunctions(stack).map((s) => {
      const fn = host(s.functionId);
      return new LocalSchedule(s, (event) => fn.invoke(event), options.scheduleIntervalMs ?? 1000, options.scheduleListener);
    });
    deployment = new LocalDeployment(tables, functions, mappings, schedules);
    await Promise.all(mappings.map((m) => m.mapping.start()));
    for (const s of schedules) s.start();
    return deployment;
  }

  /**
   * Waits until every mapping has processed everything, including what the functions wrote in
   * turn (a replica writer's writes land in other tables' streams): rounds of draining every
   * mapping until one round invokes nothing.
   */
  async drain(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const before = this.invocations;
      await Promise.all(this.mappings.map((m) => m.mapping.drain(Math.max(1, deadline - Date.now()))));
      if (this.invocations === before) return;
    }
  }

  /** Runs every scheduled function once more and waits for those runs (the drainers apply what is kept now). */
  async runSchedules(): Promise<void> {
    await Promise.all(this.schedules.map((s) => s.runOnce()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.mappings.map((m) => m.mapping.stop()), ...this.schedules.map((s) => s.stop())]);
    await Promise.all(Object.values(this.functions).map((f) => f.stop()));
  }
}

async function describeTables(stack: SynthesizedStack, endpoint: string): Promise<Record<string, DeployedTable>> {
  const out: Record<string, DeployedTable> = {};
  for (const [id, t] of resourcesOf(stack, 'aws_dynamodb_table')) {
    const region = regionOf(stack, t);
    const where = pathOf('aws_dynamodb_table', id, t);
    if (typeof t.name !== 'string' || typeof t.hash_key !== 'string')
      throw new Error(`${where}: name and hash_key must be literals to run locally`);
    const client = dynamoClient(endpoint, region);
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: t.name }));
      out[id] = {
        id,
        name: t.name,
        region,
        arn: Table!.TableArn!,
        streamArn: Table!.LatestStreamArn,
        partitionKey: t.hash_key,
        resource: t,
      };
    } catch (e) {
      throw new Error(
        `${where}: table ${t.name} is not in DynamoDB Local's ${region} (${(e as Error).message}); apply the stack's local profile first`,
      );
    }
    client.destroy();
  }
  return out;
}

/** The aws_lambda_function a mapping invokes: by reference to the function or to its alias. */
function targetFunction(stack: SynthesizedStack, functionName: unknown, where: string): string {
  const ref = wholeReference(functionName);
  if (ref?.type === 'aws_lambda_function') return ref.id;
  if (ref?.type === 'aws_lambda_alias') {
    const target = wholeReference(resourceOf(stack, 'aws_lambda_alias', ref.id).function_name);
    if (target?.type === 'aws_lambda_function') return target.id;
  }
  throw new Error(
    `${where}: function_name must reference an aws_lambda_function of the stack (or its alias) to run locally (got ${JSON.stringify(functionName)})`,
  );
}

function functionDefinition(stack: SynthesizedStack, id: string, account: LocalAccount, workDir: string): FunctionDefinition {
  const f = resourceOf(stack, 'aws_lambda_function', id);
  const where = pathOf('aws_lambda_function', id, f);
  if (typeof f.filename !== 'string') throw new Error(`${where}: only functions deployed from a local zip (filename) run locally`);
  const zip = join(stack.dir, f.filename);
  if (!existsSync(zip)) throw new Error(`${where}: ${zip} does not exist`);
  const codeDirectory = join(workDir, 'code', `${id}-${String(f.source_code_hash ?? 'nohash').slice(0, 16)}`);
  if (!existsSync(codeDirectory)) {
    mkdirSync(codeDirectory, { recursive: true });
    unzipTo(zip, codeDirectory);
  }
  const region = regionOf(stack, f);
  const environment = Object.fromEntries(
    Object.entries<string>(f.environment?.variables ?? {}).map(([k, v]) => [k, account.resolve(String(v), `${where}: environment ${k}`)]),
  );
  const logging = f.logging_config ?? {};
  return {
    name: account.resolve(String(f.function_name), `${where}: function_name`),
    arn: functionArn(region, account.resolve(String(f.function_name), `${where}: function_name`)),
    region,
    codeDirectory,
    handler: f.handler,
    runtime: f.runtime,
    timeoutSeconds: f.timeout ?? 3,
    memorySize: f.memory_size ?? 128,
    environment,
    logGroup: logging.log_group ? account.resolve(String(logging.log_group), `${where}: logging_config.log_group`) : undefined,
    logFormat: logging.log_format,
    applicationLogLevel: logging.application_log_level,
  };
}
