/**
 * Several "regions" for replica writer tests: one DynamoDB Local per region, a fake SQS failure
 * queue, a table with a stream per region, and a replica writer per region wired to the other
 * regions' tables. `pump` plays the event source mapping: it reads each region's real stream and
 * invokes that region's writer with Lambda-shaped batches until nothing new arrives, with the
 * delivery rules of local/mapping (the local event source mapping's own).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createReplicateHandler, ReplicateHandler, ReplicateHandlerOptions } from '../../../handlers/replicate';
import { createDrainHandler, DrainHandler } from '../../../handlers/replicate/drain-backlog';
import { ReplicationConfig } from '../../../handlers/replicate/config';
import { ClientFactory, Endpoint } from '../../../handlers/common/clients';
import { DEFAULT_ATTRIBUTE_NAMES, Item } from '../../../handlers/lww';
import { DynamoDbLocal, dynamoClient, FAKE_CREDENTIALS, startRegions, streamsClient } from '../../support/dynamodb-local';
import { FakeSqs, startFakeSqs } from '../../support/fake-sqs';
import { createStreamTable, createTable, StreamReader } from '../../support/streams';
import { deliverInOrder } from '../../../local/mapping/batch-delivery';
import { drainStreams, inProcessHooks } from '../../../local/mapping/in-process';
import { scanAll } from '../../../local/run/convergence';
import { backlogTableName, createBacklogTable, createStateTable, stateTableName } from './state-table';

// Quiet by default: tests assert on the returned counts, and one test turns EMF back on to read it.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'] as const;
export type RegionName = string;

export interface World {
  readonly regions: readonly RegionName[];
  readonly local: Record<RegionName, DynamoDbLocal>;
  readonly ddb: Record<RegionName, DynamoDBClient>;
  readonly sqs: FakeSqs;
  stop(): Promise<void>;
}

export async function startWorld(regions: readonly RegionName[] = REGIONS): Promise<World> {
  const started = await startRegions(regions);
  const sqs = await startFakeSqs();
  const ddb = Object.fromEntries(regions.map((r) => [r, dynamoClient(started.instances[r].endpoint, r)]));
  return {
    regions,
    local: started.instances,
    ddb,
    sqs,
    stop: async () => {
      for (const c of Object.values(ddb)) c.destroy();
      await sqs.stop();
      await started.stop();
    },
  };
}

/** Clients with fake credentials for whatever endpoint the writer's config names. */
export function localClients(wrap: (c: DynamoDBClient, target: Endpoint) => DynamoDBClient = (c) => c, maxAttempts = 2): ClientFactory {
  return {
    dynamo: (t) => wrap(dynamoClient(t.endpoint!, t.region, { maxAttempts }), t),
    sqs: (queueUrl) =>
      new SQSClient({ region: 'eu-west-1', endpoint: new URL(queueUrl).origin, credentials: FAKE_CREDENTIALS, maxAttempts: 1 }),
  };
}

export interface Deployment {
  readonly table: string;
  readonly readers: Record<RegionName, StreamReader>;
  readonly writers: Record<RegionName, ReplicateHandler>;
  readonly config: Record<RegionName, ReplicationConfig>;
}

export function writerConfig(
  world: World,
  region: RegionName,
  table: string,
  overrides: Partial<ReplicationConfig> = {},
): ReplicationConfig {
  return {
    sourceRegion: region,
    sourceEndpoint: world.local[region].endpoint,
    targets: world.regions.filter((r) => r !== region).map((r) => ({ region: r, table, endpoint: world.local[r].endpoint })),
    failureQueueUrl: world.sqs.queueUrl,
    stateTable: stateTableName(table),
    backlogTable: backlogTableName(table),
    names: DEFAULT_ATTRIBUTE_NAMES,
    tombstoneTtlSeconds: 7 * 24 * 3600,
    concurrency: 16,
    maxAttempts: 2,
    ...overrides,
  };
}

/** Creates `table` in every region and a writer per region. */
export async function deploy(world: World, table: string, options: WriterOptions = () => ({})): Promise<Deployment> {
  const readers: Record<string, StreamReader> = {};
  await Promise.all(
    world.regions.map(async (r) => {
      const arn = await createStreamTable(world.ddb[r], table);
      await createStateTable(world.ddb[r], stateTableName(table));
      await createBacklogTable(world.ddb[r], backlogTableName(table));
      readers[r] = new StreamReader(streamsClient(world.local[r].endpoint, r), arn, r);
    }),
  );
  return { table, readers, ...writersFor(world, table, options) };
}

type WriterOptions = (region: RegionName) => Partial<ReplicateHandlerOptions> & { configOverrides?: Partial<ReplicationConfig> };

/** A writer per region of `world`, each targeting every other region's `table` (a (re)deployment). */
function writersFor(world: World, table: string, options: WriterOptions = () => ({})): Pick<Deployment, 'writers' | 'config'> {
  const writers: Record<string, ReplicateHandler> = {};
  const config: Record<string, ReplicationConfig> = {};
  for (const r of world.regions) {
    const { configOverrides, ...opts } = options(r);
    config[r] = writerConfig(world, r, table, configOverrides);
    writers[r] = createReplicateHandler({ clients: localClients(), ...opts, config: config[r] });
  }
  return { writers, config };
}

/**
 * Like `deploy`, for a table that already holds data: `load` fills each region's table first, then
 * its stream is turned on, so that data is in no stream (as if its records had long been delivered
 * and trimmed, or were written before replication was turned on).
 */
export async function deployOverData(
  world: World,
  table: string,
  load: (region: RegionName, client: DynamoDBClient) => Promise<void>,
): Promise<Deployment> {
  const readers: Record<string, StreamReader> = {};
  await Promise.all(
    world.regions.map(async (r) => {
      await createTable(world.ddb[r], table);
      await load(r, world.ddb[r]);
      const out = await world.ddb[r].send(
        new UpdateTableCommand({ TableName: table, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }),
      );
      await createStateTable(world.ddb[r], stateTableName(table));
      await createBacklogTable(world.ddb[r], backlogTableName(table));
      readers[r] = new StreamReader(streamsClient(world.local[r].endpoint, r), out.TableDescription!.LatestStreamArn!, r);
    }),
  );
  return { table, readers, ...writersFor(world, table) };
}

/**
 * Adds `world`'s regions that `dep` lacks to it, as deploying a new region does: the table (and
 * writer state table) there, then every region's writer redeployed with the full target list.
 */
export async function addRegions(world: World, dep: Deployment, options: WriterOptions = () => ({})): Promise<Deployment> {
  const readers: Record<string, StreamReader> = { ...dep.readers };
  for (const r of world.regions.filter((x) => !dep.readers[x])) {
    const arn = await createStreamTable(world.ddb[r], dep.table);
    await createStateTable(world.ddb[r], stateTableName(dep.table));
    await createBacklogTable(world.ddb[r], backlogTableName(dep.table));
    readers[r] = new StreamReader(streamsClient(world.local[r].endpoint, r), arn, r);
  }
  return { table: dep.table, readers, ...writersFor(world, dep.table, options) };
}

export interface PumpStats {
  invocations: number;
  records: Record<RegionName, number>;
  failuresReported: number;
}

/**
 * Delivers every new stream record of each region of `world` to that region's writer until those streams are
 * quiet, with the event source mapping's rules (local/mapping): a reported failure makes the
 * batch resume at the lowest failed sequence number, as Lambda does with
 * ReportBatchItemFailures; `maxRetries` bounds a batch that keeps failing, which fails the test.
 */
export async function pump(world: World, dep: Deployment, options: { batchSize?: number; maxRetries?: number } = {}): Promise<PumpStats> {
  const stats: PumpStats = { invocations: 0, records: Object.fromEntries(world.regions.map((r) => [r, 0])), failuresReported: 0 };
  // Only the regions of `world`: a test passes a subset to hold the other writers back.
  const readers = Object.fromEntries(world.regions.map((r) => [r, dep.readers[r]]));
  const read = await drainStreams(readers, (region, records) =>
    deliver(dep.writers[region], records, options.batchSize ?? 100, options.maxRetries ?? 5, stats),
  );
  Object.assign(stats.records, read);
  return stats;
}

export async function deliver(
  writer: ReplicateHandler,
  records: DynamoDBRecord[],
  batchSize: number,
  maxRetries: number,
  stats?: PumpStats,
): Promise<void> {
  const settings = {
    batchSize,
    maxRetryAttempts: maxRetries,
    maxRecordAgeSeconds: -1,
    bisectOnError: false,
    reportBatchItemFailures: true,
  };
  await deliverInOrder(
    records,
    settings,
    inProcessHooks((event) => writer(event), {
      invoked: (_, result) => {
        if (!stats) return;
        stats.invocations++;
        stats.failuresReported += result.ok ? ((result.payload as { batchItemFailures?: unknown[] })?.batchItemFailures?.length ?? 0) : 0;
      },
      discard: async (d) => {
        const why =
          d.lastResult && !d.lastResult.ok
            ? `${d.lastResult.errorType}: ${d.lastResult.errorMessage}`
            : JSON.stringify(d.lastResult && d.lastResult.ok ? d.lastResult.payload : undefined);
        throw new Error(`batch kept failing after ${maxRetries} retries: ${why}`);
      },
    }),
  );
}

export { scanAll };

/**
 * The backlog drainer of `config`'s writer (the scheduled function next to it), with the same
 * clients. Its source table has the name of its targets' tables: a world deploys one name everywhere.
 */
export function drainerFor(config: ReplicationConfig, clients: ClientFactory = localClients()): DrainHandler {
  return createDrainHandler({ config: { ...config, sourceTable: config.targets[0].table, backlogTable: config.backlogTable! }, clients });
}

/**
 * Pumps every stream and runs every region's drainer, again and again, until the streams are quiet
 * and no backlog applied anything or holds anything: the state a deployment reaches once its
 * targets are reachable again. Returns the rounds it took (bounded: a round that never ends fails).
 */
export async function pumpAndDrain(
  world: World,
  dep: Deployment,
  drainers: Record<RegionName, DrainHandler> = Object.fromEntries(world.regions.map((r) => [r, drainerFor(dep.config[r])])),
  maxRounds = 10,
): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    await pump(world, dep);
    let busy = false;
    for (const r of world.regions) {
      for (const t of Object.values(await drainers[r]())) busy ||= t.applied > 0 || t.depth > 0;
    }
    if (!busy) return round;
  }
  throw new Error(`backlogs not empty after ${maxRounds} rounds of pumping and draining`);
}

/** Items by their `pk`, for comparing regions. */
export async function snapshot(world: World, table: string): Promise<Record<RegionName, Map<string, Item>>> {
  const out: Record<string, Map<string, Item>> = {};
  for (const r of world.regions) out[r] = new Map((await scanAll(world.ddb[r], table)).map((i) => [i.pk.S!, i]));
  return out;
}

let counter = 0;
export function uniqueTable(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}
