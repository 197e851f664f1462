/**
 * Which SDK failures are worth a retry. A retry of a permanent failure would block the shard until
 * the record ages out, so those are parked instead; anything unknown is presumed transient, since
 * parking loses the natural ordering of later writes while a retry only delays them.
 */
export type FailureKind = 'stale' | 'transient' | 'permanent';

const PERMANENT = new Set(['ValidationException', 'SerializationException', 'ItemCollectionSizeLimitExceededException']);

export function errorName(e: unknown): string {
  const err = e as { name?: string; code?: string } | undefined;
  return err?.name ?? err?.code ?? 'Error';
}

export function classifyFailure(e: unknown): FailureKind {
  const name = errorName(e);
  if (name === 'ConditionalCheckFailedException') return 'stale';
  if (PERMANENT.has(name)) return 'permanent';
  return 'transient';
}

export function describeError(e: unknown): string {
  return `${errorName(e)}: ${(e as Error)?.message ?? String(e)}`;
}
