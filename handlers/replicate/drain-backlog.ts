/**
 * Backlog drainer: the Lambda a schedule (EventBridge, every minute) runs next to each replica
 * writer (docs/replication-protocol.md, "Targets that fail"). It applies each target's backlog with
 * the writer's own last-write-wins condition, and publishes per target the backlog's depth, its
 * oldest entry's age, and, while the target fails, a `TargetFailing` count with the reason kind
 * ('transient', 'access-denied', 'not-found', 'kms', 'validation', 'unknown') that the target's
 * alarms watch. It runs on a schedule because a quiet source never invokes the writer.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { DRAIN_METRICS, METRIC_DIMENSIONS, REPLICATION_METRICS_NAMESPACE, WRITER_ENV } from '../contract';
import { DEFAULT_TOMBSTONE_TTL_SECONDS, LwwAttributeNames } from '../lww';
import { Backlog, dynamoBacklog } from './backlog';
import { ClientFactory, lambdaClientFactory } from '../common/clients';
import { attributeNamesFromEnv, parseTargets, positiveInt, ReplicaTarget } from './config';
import { drainBacklogs, DrainTargetResult } from './drain';

export interface DrainConfig {
  readonly sourceRegion: string;
  readonly sourceEndpoint?: string;
  /** The replicated table in the source region: each entry is checked against its current item. */
  readonly sourceTable: string;
  readonly targets: readonly ReplicaTarget[];
  readonly backlogTable: string;
  readonly names: LwwAttributeNames;
  readonly tombstoneTtlSeconds: number;
  readonly maxAttempts: number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/** The writer's own variables (modules/replication/writer.ts sets the same ones on both functions). */
export function drainConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DrainConfig {
  const problems: string[] = [];
  const sourceRegion = env[WRITER_ENV.sourceRegion] || env.AWS_REGION || '';
  if (!sourceRegion) problems.push(`${WRITER_ENV.sourceRegion} (or AWS_REGION) must name the source region`);
  const backlogTable = env[WRITER_ENV.backlogTable] ?? '';
  if (!backlogTable) problems.push(`${WRITER_ENV.backlogTable} must name the backlog table in the source region`);
  const sourceTable = env[WRITER_ENV.sourceTable] ?? '';
  if (!sourceTable) problems.push(`${WRITER_ENV.sourceTable} must name the replicated table in the source region`);
  const config: DrainConfig = {
    sourceRegion,
    sourceEndpoint: env[WRITER_ENV.sourceEndpoint] || undefined,
    sourceTable,
    targets: parseTargets(env[WRITER_ENV.targets], problems),
    backlogTable,
    names: attributeNamesFromEnv(env),
    tombstoneTtlSeconds: positiveInt(env, WRITER_ENV.tombstoneTtlSeconds, DEFAULT_TOMBSTONE_TTL_SECONDS, problems),
    maxAttempts: positiveInt(env, WRITER_ENV.maxAttempts, 3, problems),
    connectTimeoutMs: positiveInt(env, WRITER_ENV.connectTimeoutMs, 1000, problems),
    requestTimeoutMs: positiveInt(env, WRITER_ENV.requestTimeoutMs, 3000, problems),
  };
  if (problems.length) throw new Error(`backlog drainer configuration is invalid:\n- ${problems.join('\n- ')}`);
  return config;
}

export interface DrainHandlerOptions {
  readonly config?: DrainConfig;
  readonly clients?: ClientFactory;
  readonly backlog?: Backlog;
  readonly now?: () => number;
  readonly onRun?: (results: Record<string, DrainTargetResult>) => void;
}

export type DrainHandler = (event?: unknown, context?: Context) => Promise<Record<string, DrainTargetResult>>;

export function createDrainHandler(options: DrainHandlerOptions = {}): DrainHandler {
  const config = options.config ?? drainConfigFromEnv();
  const clients = options.clients ?? lambdaClientFactory(config);
  const source: DynamoDBClient = clients.dynamo({ region: config.sourceRegion, endpoint: config.sourceEndpoint });
  const backlog = options.backlog ?? dynamoBacklog(source, config.backlogTable);
  const targets = config.targets.map((target) => ({ target, client: clients.dynamo(target) }));
  const now = options.now ?? Date.now;
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dynamodb-replica-backlog-drainer' });
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? REPLICATION_METRICS_NAMESPACE;
  return async (_event, context) => {
    const remaining = context?.getRemainingTimeInMillis?.();
    // Stop applying with a request's time to spare for counting what is left and publishing.
    const deadline =
      remaining !== undefined
        ? AbortSignal.timeout(Math.max(1, remaining - Math.min(remaining / 2, (config.requestTimeoutMs ?? 3000) + 2000)))
        : undefined;
    const results = await drainBacklogs({
      backlog,
      targets,
      source: { client: source, table: config.sourceTable },
      names: config.names,
      tombstoneTtlSeconds: config.tombstoneTtlSeconds,
      now,
      deadline,
    });
    for (const target of config.targets) {
      const r = results[`${target.region}/${target.table}`];
      publish(namespace, config.sourceRegion, target, r);
      const log = r.failing ? logger.error.bind(logger) : logger.info.bind(logger);
      log('backlog drained', { target: `${target.region}/${target.table}`, ...r });
    }
    options.onRun?.(results);
    return results;
  };
}

function publish(namespace: string, sourceRegion: string, target: ReplicaTarget, r: DrainTargetResult): void {
  const dims = { [METRIC_DIMENSIONS.sourceRegion]: sourceRegion, [METRIC_DIMENSIONS.targetRegion]: target.region };
  const m = new Metrics({ namespace, defaultDimensions: dims });
  m.addMetric(DRAIN_METRICS.depth, MetricUnit.Count, r.depth);
  m.addMetric(DRAIN_METRICS.oldestAge, MetricUnit.Seconds, Math.floor((r.oldestAgeMs ?? 0) / 1000));
  m.addMetric(DRAIN_METRICS.applied, MetricUnit.Count, r.applied);
  if (m.hasStoredMetrics()) m.publishStoredMetrics();
  const kinds = [...(r.failing ? [r.failing.kind] : []), ...(r.rejected ? ['validation'] : [])];
  for (const kind of new Set(kinds)) {
    const f = new Metrics({ namespace, defaultDimensions: { ...dims, [METRIC_DIMENSIONS.reason]: kind } });
    f.addMetric(DRAIN_METRICS.failing, MetricUnit.Count, 1);
    if (f.hasStoredMetrics()) f.publishStoredMetrics();
  }
}

let defaultHandler: DrainHandler | undefined;
if (process.env.AWS_LAMBDA_FUNCTION_NAME) defaultHandler = createDrainHandler();

/** The Lambda entry point (handler "index.handler" in the bundle). */
export const handler: DrainHandler = (event, context) => (defaultHandler ??= createDrainHandler())(event, context);
