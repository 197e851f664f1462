import { TerraformProvider, Token } from 'cdktf';
import { LIMITS } from './limits';
import type { LambdaCode } from './lambda-code';
import type { Architecture } from './function-options';
import { PropsValidator } from './validation';

/** Settings of the parked queue: an encrypted, TLS-only SQS queue (a FailureDestination of kind 'sqs'). */
export interface ParkedQueueProps {
  /** Queue name, 1..80 characters of [0-9A-Za-z_-]. @default derived from the construct path */
  readonly name?: string;
  /** ARN of a customer-managed KMS key for the queue; the redrive role gets kms:Decrypt and kms:GenerateDataKey on it. @default SSE-SQS */
  readonly kmsKeyArn?: string;
  /** Seconds a parked record is kept, 60..1209600: the time a person has to look at it. @default 1209600 (14 days) */
  readonly messageRetentionSeconds?: number;
  /** Tags for the queue. @default none */
  readonly tags?: Record<string, string>;
}

/** The tunable settings of a redrive (what a {@link StreamPipeline} passes through). */
export interface FailureRedriveSettings {
  /** The parked queue, where records that fail again and unreadable ranges go. @default an encrypted SQS queue kept 14 days with a TLS-only policy */
  readonly parkedQueue?: ParkedQueueProps;
  /**
   * Failure-queue messages per invocation, 1..10 (no batching window). Each message can mean
   * several synchronous invocations of the consumer, so a small batch keeps within the timeout.
   * @default 1
   */
  readonly batchSize?: number;
  /**
   * Invocations of the consumer per record before it is parked, 1..10. Records that failed for a
   * transient reason usually succeed on the first; a poison record fails every one.
   * @default 3
   */
  readonly maxAttempts?: number;
  /** Records per invocation of the consumer, 1..10000 (and at most 5 MB of event). @default 100 */
  readonly invokeBatchSize?: number;
  /**
   * Deliveries of one failure-queue message before SQS moves it, as it is, to the parked queue:
   * 1..1000. Covers a range the redrive keeps failing to read or to park (throttled stream reads,
   * parked queue unavailable), so it is not lost when the failure queue's retention ends.
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /**
   * Timeout of the redrive function in seconds, 1..900, and at least the worst case of one
   * invocation: batchSize x maxAttempts x (ceil(consumer batch size / invokeBatchSize) + 1)
   * consumer timeouts, plus 5 s and 0.05 s per record for reading and parking. Settings whose
   * worst case exceeds 900 s are refused. The consumed queue's visibility timeout is set to 6
   * times this (AWS's advice for SQS event sources) unless the failure destination sets one,
   * which must then be at least that.
   * @default the worst case (190 s for a consumer with the defaults: 30 s timeout, batches of 100)
   */
  readonly timeoutSeconds?: number;
  /**
   * Most redrive invocations at once (the SQS mapping's scaling_config.maximum_concurrency),
   * 2..1000. Each one invokes the consumer, so a consumer with reserved concurrency needs more
   * than this.
   * @default 2 (the lowest SQS mappings allow)
   */
  readonly maximumConcurrency?: number;
  /** Memory of the redrive function in MB, 128..10240. @default 256 */
  readonly memorySize?: number;
  /** CPU architecture. @default 'arm64' */
  readonly architecture?: Architecture;
  /** Days the function's log group keeps logs; one of the CloudWatch values. @default 30 */
  readonly logRetentionDays?: number;
  /** Function name, 1..64 characters of [0-9A-Za-z_-]. @default derived from the construct path */
  readonly functionName?: string;
  /** Role name, 1..64 characters of [A-Za-z0-9_+=,.@-]. @default derived from the construct path */
  readonly roleName?: string;
  /** The function's code. @default the library's redrive handler (handlers/redrive.ts) */
  readonly code?: LambdaCode;
  /** Tags for the function, role, log group and parked queue. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region); must be the consumer's. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

export const REDRIVE_DEFAULTS = { batchSize: 1, maxAttempts: 3, invokeBatchSize: 100, maxReceiveCount: 10, timeoutSeconds: 30, memorySize: 256, logRetentionDays: 30, maximumConcurrency: 2 } as const;

/** Checks the settings and the kind of failure destination (the timing is checked in redrive-timing.ts). */
export function validateRedrive(v: PropsValidator, s: FailureRedriveSettings, names: { functionName: string; roleName: string }, failure: { kind: string }): void {
  if (failure.kind !== 'sqs' && failure.kind !== 's3') {
    v.fail('failureDestination', `kind ${failure.kind}`, "a FailureDestination of kind 'sqs' or 's3'", 'the redrive reads the on-failure records from a queue or a bucket; an SNS topic keeps nothing to read');
  }
  v.integer('batchSize', s.batchSize, 1, 10, { why: 'an SQS event source without a batching window' });
  v.integer('maxAttempts', s.maxAttempts, 1, 10);
  v.integer('invokeBatchSize', s.invokeBatchSize, 1, LIMITS.batchSize[1]);
  v.integer('maxReceiveCount', s.maxReceiveCount, 1, 1000, { why: 'the SQS redrive policy range' });
  v.integer('timeoutSeconds', s.timeoutSeconds, ...LIMITS.timeoutSeconds);
  v.integer('memorySize', s.memorySize, LIMITS.memoryMb[0], LIMITS.memoryMb[1], { why: 'MB' });
  v.oneOf('architecture', s.architecture, ['arm64', 'x86_64'] as const);
  v.oneOf('logRetentionDays', s.logRetentionDays, LIMITS.logRetentionDays as readonly number[], 'the values CloudWatch Logs accepts');
  v.matches('functionName', names.functionName, LIMITS.functionName.pattern, LIMITS.functionName.described);
  v.matches('roleName', names.roleName, LIMITS.roleName.pattern, LIMITS.roleName.described);
}

/** The operators the redrive function applies again (handlers/internal/redrive-filter.ts). */
const REDRIVE_FILTER_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists'];

/** Operators in the consumer's filter patterns that the redrive could not apply faithfully. */
function unsupportedOperators(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) {
      if (item && typeof item === 'object' && !Array.isArray(item)) for (const op of Object.keys(item)) if (!REDRIVE_FILTER_OPERATORS.includes(op)) found.add(op);
    }
  } else if (node && typeof node === 'object') {
    // $or holds alternative patterns, not a list of rules.
    for (const [k, v] of Object.entries(node)) {
      if (k === '$or' && Array.isArray(v)) v.forEach((alt) => unsupportedOperators(alt, found));
      else unsupportedOperators(v, found);
    }
  }
  return found;
}

/** Lambda's limit for all environment variables of a function together. */
const ENV_BYTES = 4096;

/** Checks that the redrive can apply the consumer's filters again and that they fit its environment. */
export function validateRedriveFilters(v: PropsValidator, patterns: string[], environment: Record<string, string>): void {
  for (const [i, p] of patterns.entries()) {
    if (Token.isUnresolved(p)) continue;
    const ops = [...unsupportedOperators(JSON.parse(p), new Set())];
    if (ops.length) v.fail(`consumer.filters[${i}]`, p, `a pattern using only ${REDRIVE_FILTER_OPERATORS.join(', ')} and value lists`, `the redrive re-applies the mapping's filters to re-read records and does not implement ${ops.join(', ')}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(environment));
  if (bytes > ENV_BYTES) v.fail('consumer.filters', `${bytes} bytes of environment`, `at most ${ENV_BYTES} bytes`, "the redrive gets the consumer's filter patterns through its environment, which Lambda limits to 4 KB");
}
