import type { TargetFailureReason } from '../contract';

/**
 * What an SDK failure means for the write that got it:
 * - `stale`: the condition refused it, something at least as new is there (success for a copy);
 * - `transient`: worth asking again after a backoff (throttling, 5xx, timeouts, network errors);
 * - `blocked`: the destination refuses every write until someone fixes it (access denied, missing
 *   table, KMS key disabled, a request the target's schema rejects). Retrying cannot help, and
 *   waiting for it must not hold other targets back: a target write keeps the change in the
 *   target's backlog with the reason (docs/replication-protocol.md, "Targets that fail").
 *
 * Unknown errors: without an HTTP status (the request never got an answer) or with a 5xx one they
 * are transient; an unknown 4xx is blocked (the service answered, and answered no).
 */
export type FailureKind = 'stale' | 'transient' | 'blocked';

/** Why a destination is blocked, for alarms and logs: a small fixed set, usable as a metric dimension. */
export type BlockedReason = Exclude<TargetFailureReason, 'transient'>;

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'TooManyRequestsException',
  'KMSThrottlingException',
  'InternalServerError',
  'InternalServerErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'ReplicatedWriteConflictException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'AbortError',
  // Assumed-role credentials that ran out are refreshed by the next attempt.
  'ExpiredTokenException',
  'ExpiredToken',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const VALIDATION_NAMES = new Set(['ValidationException', 'SerializationException', 'ItemCollectionSizeLimitExceededException']);

export function errorName(e: unknown): string {
  const err = e as { name?: string; code?: string } | undefined;
  return err?.name ?? err?.code ?? 'Error';
}

export function classifyFailure(e: unknown): FailureKind {
  const name = errorName(e);
  if (name === 'ConditionalCheckFailedException') return 'stale';
  if (TRANSIENT_NAMES.has(name) || isNetworkError(e)) return 'transient';
  if (blockedReasonOf(name) !== 'unknown') return 'blocked';
  const err = e as { $metadata?: { httpStatusCode?: number }; $fault?: string; $retryable?: unknown };
  if (err?.$retryable) return 'transient';
  const status = err?.$metadata?.httpStatusCode;
  if (status === undefined) return 'transient';
  if (status >= 500 || status === 429) return 'transient';
  return 'blocked';
}

/** The reason kind of a blocked failure (meaningful when classifyFailure says 'blocked'). */
export function blockedReason(e: unknown): BlockedReason {
  return blockedReasonOf(errorName(e));
}

function blockedReasonOf(name: string): BlockedReason {
  if (name.startsWith('AccessDenied') || name === 'UnrecognizedClientException' || name === 'InvalidSignatureException')
    return 'access-denied';
  if (name.startsWith('KMS')) return 'kms';
  if (name === 'ResourceNotFoundException' || name === 'TableNotFoundException') return 'not-found';
  if (VALIDATION_NAMES.has(name)) return 'validation';
  return 'unknown';
}

/**
 * The item itself can never be written (schema, size, serialization), as opposed to the
 * destination refusing everything: the former is parked, the latter waits for a fix.
 */
export function isItemRejection(e: unknown): boolean {
  return classifyFailure(e) === 'blocked' && blockedReason(e) === 'validation';
}

function isNetworkError(e: unknown): boolean {
  const err = e as { code?: string; errno?: string; cause?: { code?: string }; message?: string } | undefined;
  const code = err?.code ?? err?.errno ?? err?.cause?.code;
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  // The SDK wraps a socket error that is not an Error instance of its realm ("AWS SDK error
  // wrapper for Error: connect ECONNREFUSED ..."): the code survives only in the message.
  const wrapped = /^AWS SDK error wrapper for .*\b(E[A-Z_]+)\b/.exec(err?.message ?? '');
  return wrapped !== null && NETWORK_CODES.has(wrapped[1]);
}

export function describeError(e: unknown): string {
  return `${errorName(e)}: ${(e as Error)?.message ?? String(e)}`;
}
