/** The redrive function's settings, from its environment (set by modules/redrive.ts). */
import { REDRIVE_ENV } from '../contract';
import { DEFAULT_PARK_MAX_BYTES } from '../common/sqs-message-size';
import { parsePatterns } from '../common/filter-pattern';

export interface RedriveConfig {
  readonly parkedQueueUrl: string;
  readonly maxAttempts: number;
  readonly invokeBatchSize: number;
  readonly parkMaxBytes?: number;
  /** The consumer mapping's filter patterns (JSON strings); records none matches are not redriven. @default none */
  readonly filterPatterns?: string[];
  /** SDK attempts per call (stream reads, invokes, parking). @default 3 */
  readonly sdkMaxAttempts?: number;
  /** Kinesis sources: the role ARN re-read records name as invokeIdentityArn. @default none */
  readonly invokeIdentityArn?: string;
}

/** Counts of one invocation: the log line, the EMF metrics and tests read them. */
export interface RedriveTally {
  messages: number;
  rangesRedriven: number;
  rangesUnreadable: number;
  recordsRead: number;
  /** S3 failure objects read (S3 destinations); their records count in recordsRead. */
  objectsRead: number;
  /** Records of the range the consumer's filters drop, as its mapping did. */
  recordsFiltered: number;
  recordsRetried: number;
  recordsSucceeded: number;
  recordsParked: number;
  messagesFailed: number;
}

function intIn(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be an integer ${min}..${max} (got ${JSON.stringify(raw)})`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): RedriveConfig {
  const problems: string[] = [];
  const parkedQueueUrl = env[REDRIVE_ENV.parkedQueueUrl] ?? '';
  if (!parkedQueueUrl) problems.push(`${REDRIVE_ENV.parkedQueueUrl} must be the parked queue's URL (got nothing)`);
  const config: RedriveConfig = {
    parkedQueueUrl,
    maxAttempts: intIn(env, REDRIVE_ENV.maxAttempts, 3, 1, 10, problems),
    invokeBatchSize: intIn(env, REDRIVE_ENV.invokeBatchSize, 100, 1, 10000, problems),
    parkMaxBytes: intIn(env, REDRIVE_ENV.parkMaxBytes, DEFAULT_PARK_MAX_BYTES, 1024, 1_048_576, problems),
    ...(env[REDRIVE_ENV.invokeIdentityArn] ? { invokeIdentityArn: env[REDRIVE_ENV.invokeIdentityArn] } : {}),
  };
  const rawPatterns = env[REDRIVE_ENV.filterPatterns];
  if (rawPatterns) {
    try {
      const list = JSON.parse(rawPatterns);
      if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) throw new Error('not an array of strings');
      parsePatterns(list);
      (config as { filterPatterns?: string[] }).filterPatterns = list;
    } catch (e) {
      problems.push(
        `${REDRIVE_ENV.filterPatterns} must be a JSON array of filter pattern strings the redrive applies (${(e as Error).message})`,
      );
    }
  }
  if (problems.length) throw new Error(`redrive configuration is invalid:\n- ${problems.join('\n- ')}`);
  return config;
}
