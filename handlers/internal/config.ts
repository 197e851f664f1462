/**
 * The replica writer's configuration, read from the Lambda environment. modules/replication/writer.ts
 * sets these variables; the names below are the contract between the two.
 */
import { DEFAULT_ATTRIBUTE_NAMES, DEFAULT_TOMBSTONE_TTL_SECONDS, LwwAttributeNames } from '../lww';

/** SQS's default MaximumMessageSize. */
export const DEFAULT_PARK_MAX_BYTES = 262_144;

export const ENV = {
  /** Region of the table whose stream this function reads. @default AWS_REGION */
  sourceRegion: 'REPLICATION_SOURCE_REGION',
  /** JSON array of {"region","table","roleArn"?,"endpoint"?,"omit"?,"mask"?}: where to write. Required, non-empty. */
  targets: 'REPLICATION_TARGETS',
  /** Endpoint override for the source table (local runs against DynamoDB Local). */
  sourceEndpoint: 'REPLICATION_SOURCE_ENDPOINT',
  /** SQS queue URL where records that can never be written are parked. Required. */
  failureQueueUrl: 'REPLICATION_FAILURE_QUEUE_URL',
  versionAttribute: 'REPLICATION_VERSION_ATTRIBUTE',
  originAttribute: 'REPLICATION_ORIGIN_ATTRIBUTE',
  deletedAttribute: 'REPLICATION_DELETED_ATTRIBUTE',
  ttlAttribute: 'REPLICATION_TTL_ATTRIBUTE',
  writtenForAttribute: 'REPLICATION_WRITTEN_FOR_ATTRIBUTE',
  /**
   * The writer's per-key state table in the source region (docs/replication-protocol.md, "Floors
   * across batches"): partition key `k` (S), TTL attribute `exp`. Required.
   */
  stateTable: 'REPLICATION_STATE_TABLE',
  /** Seconds a tombstone written for a hard delete lives. @default 604800 (7 days) */
  tombstoneTtlSeconds: 'REPLICATION_TOMBSTONE_TTL_SECONDS',
  /** Keys written at the same time. @default 32 */
  concurrency: 'REPLICATION_CONCURRENCY',
  /** SDK attempts per request (first try included) before a record is reported failed. @default 3 */
  maxAttempts: 'REPLICATION_MAX_ATTEMPTS',
  /** ms to open a connection to any endpoint (targets, source, queue). @default 1000 */
  connectTimeoutMs: 'REPLICATION_CONNECT_TIMEOUT_MS',
  /** ms one request may wait for its answer (per attempt). @default 3000 */
  requestTimeoutMs: 'REPLICATION_REQUEST_TIMEOUT_MS',
  /**
   * Table in the source region holding, per target, the changes that target still needs
   * (docs/replication-protocol.md, "Targets that fail"): partition key `t` (S), sort key `k` (S).
   * Without it a failed target makes its records be retried (the shard waits for it).
   */
  backlogTable: 'REPLICATION_BACKLOG_TABLE',
  /** ms a target that failed gets its copies sent straight to the backlog. @default 30000 */
  targetCooldownMs: 'REPLICATION_TARGET_COOLDOWN_MS',
  /** Kinesis source: ms a key's changes wait for an earlier change that has not arrived. @default 60000 */
  kinesisWaitMs: 'REPLICATION_KINESIS_WAIT_MS',
  /**
   * Largest parked message, in bytes: the failure queue's MaximumMessageSize (SQS accepts
   * 1024..1048576; hashicorp/aws 5.100 lets a queue go up to 262144 only). A larger record is
   * parked without its images, keeping its stream coordinates (re-readable for 24 h).
   * @default 262144
   */
  parkMaxBytes: 'REPLICATION_PARK_MAX_BYTES',
} as const;

/** One table the writer copies into. */
export interface ReplicaTarget {
  readonly region: string;
  readonly table: string;
  /** Role to assume for a table in another account. */
  readonly roleArn?: string;
  /** Endpoint override (DynamoDB Local). */
  readonly endpoint?: string;
  /** Attributes left out of items written here (data residency). */
  readonly omit?: readonly string[];
  /** Attributes whose value is written here as the string "***" (PII). */
  readonly mask?: readonly string[];
}

export interface ReplicationConfig {
  readonly sourceRegion: string;
  readonly sourceEndpoint?: string;
  readonly targets: readonly ReplicaTarget[];
  readonly failureQueueUrl: string;
  /** The writer's per-key state table, in the source region. */
  readonly stateTable: string;
  readonly names: LwwAttributeNames;
  readonly tombstoneTtlSeconds: number;
  readonly concurrency: number;
  readonly maxAttempts: number;
  /** @default 262144 */
  readonly parkMaxBytes?: number;
  /** @default 1000 */
  readonly connectTimeoutMs?: number;
  /** @default 3000 */
  readonly requestTimeoutMs?: number;
  /** The per-target backlog table in the source region; without it a failed target's records are retried. */
  readonly backlogTable?: string;
  /** @default 30000 */
  readonly targetCooldownMs?: number;
  /** Kinesis source: ms a key's changes wait for an earlier change that has not arrived. @default 60000 */
  readonly kinesisWaitMs?: number;
}

export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) problems.push(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  return n;
}

export function parseTargets(raw: string | undefined, problems: string[]): ReplicaTarget[] {
  if (!raw) {
    problems.push(`${ENV.targets} must be a non-empty JSON array of {"region","table","roleArn"?,"endpoint"?} (got nothing)`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    problems.push(`${ENV.targets} must be JSON (${(e as Error).message})`);
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`${ENV.targets} must be a non-empty array (got ${raw.slice(0, 200)})`);
    return [];
  }
  return parsed.map((t: any, i: number) => {
    if (typeof t?.region !== 'string' || typeof t?.table !== 'string' || !t.region || !t.table) {
      problems.push(`${ENV.targets}[${i}] needs string "region" and "table" (got ${JSON.stringify(t)})`);
    }
    for (const opt of ['roleArn', 'endpoint']) {
      if (t?.[opt] !== undefined && typeof t[opt] !== 'string') problems.push(`${ENV.targets}[${i}].${opt} must be a string`);
    }
    for (const opt of ['omit', 'mask']) {
      if (t?.[opt] !== undefined && !(Array.isArray(t[opt]) && t[opt].every((a: unknown) => typeof a === 'string'))) {
        problems.push(`${ENV.targets}[${i}].${opt} must be a list of attribute names`);
      }
    }
    return { region: t?.region, table: t?.table, roleArn: t?.roleArn, endpoint: t?.endpoint, omit: t?.omit, mask: t?.mask };
  });
}

/** Reads and checks the whole configuration; throws once with every problem found. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicationConfig {
  const problems: string[] = [];
  const sourceRegion = env[ENV.sourceRegion] || env.AWS_REGION || '';
  if (!sourceRegion) problems.push(`${ENV.sourceRegion} (or AWS_REGION) must name the source region`);
  const targets = parseTargets(env[ENV.targets], problems);
  if (targets.some((t) => t.region === sourceRegion && !t.endpoint)) {
    problems.push(`${ENV.targets} must not include the source region ${sourceRegion}: a writer never replicates into itself`);
  }
  const failureQueueUrl = env[ENV.failureQueueUrl] ?? '';
  if (!failureQueueUrl) problems.push(`${ENV.failureQueueUrl} must be the SQS queue URL for records that can never be written`);
  const names: LwwAttributeNames = {
    version: env[ENV.versionAttribute] || DEFAULT_ATTRIBUTE_NAMES.version,
    origin: env[ENV.originAttribute] || DEFAULT_ATTRIBUTE_NAMES.origin,
    deleted: env[ENV.deletedAttribute] || DEFAULT_ATTRIBUTE_NAMES.deleted,
    ttl: env[ENV.ttlAttribute] || DEFAULT_ATTRIBUTE_NAMES.ttl,
    writtenFor: env[ENV.writtenForAttribute] || DEFAULT_ATTRIBUTE_NAMES.writtenFor,
  };
  const stateTable = env[ENV.stateTable] ?? '';
  if (!stateTable) problems.push(`${ENV.stateTable} must name the writer's state table in the source region`);
  if (new Set(Object.values(names)).size !== 5)
    problems.push(`replication attribute names must be distinct (got ${JSON.stringify(names)})`);
  const config: ReplicationConfig = {
    sourceRegion,
    sourceEndpoint: env[ENV.sourceEndpoint] || undefined,
    targets,
    failureQueueUrl,
    stateTable,
    names,
    tombstoneTtlSeconds: positiveInt(env, ENV.tombstoneTtlSeconds, DEFAULT_TOMBSTONE_TTL_SECONDS, problems),
    concurrency: positiveInt(env, ENV.concurrency, 32, problems),
    maxAttempts: positiveInt(env, ENV.maxAttempts, 3, problems),
    parkMaxBytes: positiveInt(env, ENV.parkMaxBytes, DEFAULT_PARK_MAX_BYTES, problems),
    kinesisWaitMs: positiveInt(env, ENV.kinesisWaitMs, 60_000, problems),
    connectTimeoutMs: positiveInt(env, ENV.connectTimeoutMs, 1000, problems),
    requestTimeoutMs: positiveInt(env, ENV.requestTimeoutMs, 3000, problems),
    targetCooldownMs: positiveInt(env, ENV.targetCooldownMs, 30_000, problems),
    ...(env[ENV.backlogTable] ? { backlogTable: env[ENV.backlogTable] } : {}),
  };
  if (Number.isInteger(config.parkMaxBytes) && (config.parkMaxBytes! < 1024 || config.parkMaxBytes! > 1_048_576))
    problems.push(`${ENV.parkMaxBytes} must be 1024..1048576, SQS's message size range (got ${config.parkMaxBytes})`);
  if (problems.length) throw new Error(`replica writer configuration is invalid:\n- ${problems.join('\n- ')}`);
  return config;
}
