/** Settings of a FailureRedrive that a StreamPipeline passes through. */
import type { TerraformProvider } from 'cdktf';
import type { Architecture, LambdaCode } from './function';

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
  /**
   * The parked queue, where records that fail again and unreadable ranges go.
   * @default an encrypted SQS queue kept 14 days with a TLS-only policy
   */
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
   * @default the worst case (191 s for a consumer with the defaults: 30 s timeout, batches of 100)
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
  /** The function's code. @default the library's redrive handler (handlers/redrive/index.ts) */
  readonly code?: LambdaCode;
  /** Tags for the function, role, log group and parked queue. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region); must be the consumer's. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** How long a FailureRedrive may run and how long its queue hides a message, in seconds (docs in modules/internal/redrive-timing.ts). */
export interface RedriveTiming {
  /** The worst-case run time of one invocation, seconds. */
  readonly worstCaseSeconds: number;
  /** The function timeout: the given one, or the worst case. */
  readonly timeoutSeconds: number;
  /** The visibility timeout the consumed queue needs: 6 x timeoutSeconds. */
  readonly visibilityTimeoutSeconds: number;
}
