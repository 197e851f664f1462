/**
 * The replica writer's configuration, read from the Lambda environment that
 * modules/replication/writer.ts sets (the variable names are in ../contract.ts).
 */
import { DEFAULT_ATTRIBUTE_NAMES, WRITER_ENV } from '../contract';
import { DEFAULT_TOMBSTONE_TTL_SECONDS, LwwAttributeNames } from '../lww';
import { DEFAULT_PARK_MAX_BYTES } from '../common/sqs-message-size';

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
  /** Attributes whose value is written here as MASKED_VALUE (PII). */
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
    problems.push(`${WRITER_ENV.targets} must be a non-empty JSON array of {"region","table","roleArn"?,"endpoint"?} (got nothing)`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    problems.push(`${WRITER_ENV.targets} must be JSON (${(e as Error).message})`);
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`${WRITER_ENV.targets} must be a non-empty array (got ${raw.slice(0, 200)})`);
    return [];
  }
  return parsed.map((t: any, i: number) => {
    if (typeof t?.region !== 'string' || typeof t?.table !== 'string' || !t.region || !t.table) {
      problems.push(`${WRITER_ENV.targets}[${i}] needs string "region" and "table" (got ${JSON.stringify(t)})`);
    }
    for (const opt of ['roleArn', 'endpoint']) {
      if (t?.[opt] !== undefined && typeof t[opt] !== 'string') problems.push(`${WRITER_ENV.targets}[${i}].${opt} must be a string`);
    }
    for (const opt of ['omit', 'mask']) {
      if (t?.[opt] !== undefined && !(Array.isArray(t[opt]) && t[opt].every((a: unknown) => typeof a === 'string'))) {
        problems.push(`${WRITER_ENV.targets}[${i}].${opt} must be a list of attribute names`);
      }
    }
    return { region: t?.region, table: t?.table, roleArn: t?.roleArn, endpoint: t?.endpoint, omit: t?.omit, mask: t?.mask };
  });
}

/** The replication attribute names (the writer's and the drainer's variables alike). */
export function attributeNamesFromEnv(env: NodeJS.ProcessEnv): LwwAttributeNames {
  return {
    version: env[WRITER_ENV.versionAttribute] || DEFAULT_ATTRIBUTE_NAMES.version,
    origin: env[WRITER_ENV.originAttribute] || DEFAULT_ATTRIBUTE_NAMES.origin,
    deleted: env[WRITER_ENV.deletedAttribute] || DEFAULT_ATTRIBUTE_NAMES.deleted,
    ttl: env[WRITER_ENV.ttlAttribute] || DEFAULT_ATTRIBUTE_NAMES.ttl,
    writtenFor: env[WRITER_ENV.writtenForAttribute] || DEFAULT_ATTRIBUTE_NAMES.writtenFor,
  };
}

/** Reads and checks the whole configuration; throws once with every problem found. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicationConfig {
  const problems: string[] = [];
  const sourceRegion = env[WRITER_ENV.sourceRegion] || env.AWS_REGION || '';
  if (!sourceRegion) problems.push(`${WRITER_ENV.sourceRegion} (or AWS_REGION) must name the source region`);
  const targets = parseTargets(env[WRITER_ENV.targets], problems);
  if (targets.some((t) => t.region === sourceRegion && !t.endpoint)) {
    problems.push(`${WRITER_ENV.targets} must not include the source region ${sourceRegion}: a writer never replicates into itself`);
  }
  const failureQueueUrl = env[WRITER_ENV.failureQueueUrl] ?? '';
  if (!failureQueueUrl) problems.push(`${WRITER_ENV.failureQueueUrl} must be the SQS queue URL for records that can never be written`);
  const names = attributeNamesFromEnv(env);
  const stateTable = env[WRITER_ENV.stateTable] ?? '';
  if (!stateTable) problems.push(`${WRITER_ENV.stateTable} must name the writer's state table in the source region`);
  if (new Set(Object.values(names)).size !== 5)
    problems.push(`replication attribute names must be distinct (got ${JSON.stringify(names)})`);
  const config: ReplicationConfig = {
    sourceRegion,
    sourceEndpoint: env[WRITER_ENV.sourceEndpoint] || undefined,
    targets,
    failureQueueUrl,
    stateTable,
    names,
    tombstoneTtlSeconds: positiveInt(env, WRITER_ENV.tombstoneTtlSeconds, DEFAULT_TOMBSTONE_TTL_SECONDS, problems),
    concurrency: positiveInt(env, WRITER_ENV.concurrency, 32, problems),
    maxAttempts: positiveInt(env, WRITER_ENV.maxAttempts, 3, problems),
    parkMaxBytes: positiveInt(env, WRITER_ENV.parkMaxBytes, DEFAULT_PARK_MAX_BYTES, problems),
    kinesisWaitMs: positiveInt(env, WRITER_ENV.kinesisWaitMs, 60_000, problems),
    connectTimeoutMs: positiveInt(env, WRITER_ENV.connectTimeoutMs, 1000, problems),
    requestTimeoutMs: positiveInt(env, WRITER_ENV.requestTimeoutMs, 3000, problems),
    targetCooldownMs: positiveInt(env, WRITER_ENV.targetCooldownMs, 30_000, problems),
    ...(env[WRITER_ENV.backlogTable] ? { backlogTable: env[WRITER_ENV.backlogTable] } : {}),
  };
  if (Number.isInteger(config.parkMaxBytes) && (config.parkMaxBytes! < 1024 || config.parkMaxBytes! > 1_048_576))
    problems.push(`${WRITER_ENV.parkMaxBytes} must be 1024..1048576, SQS's message size range (got ${config.parkMaxBytes})`);
  if (problems.length) throw new Error(`replica writer configuration is invalid:\n- ${problems.join('\n- ')}`);
  return config;
}
