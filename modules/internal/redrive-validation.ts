import { Token } from 'cdktf';
import type { FailureRedriveSettings } from '../props/redrive-settings';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';

export const REDRIVE_DEFAULTS = {
  batchSize: 1,
  maxAttempts: 3,
  invokeBatchSize: 100,
  maxReceiveCount: 10,
  timeoutSeconds: 30,
  memorySize: 256,
  logRetentionDays: 30,
  maximumConcurrency: 2,
} as const;

/** Checks the settings and the kind of failure destination (the timing is checked in redrive-timing.ts). */
export function validateRedrive(
  v: PropsValidator,
  s: FailureRedriveSettings,
  names: { functionName: string; roleName: string },
  failure: { kind: string },
): void {
  if (failure.kind !== 'sqs' && failure.kind !== 's3') {
    v.fail(
      'failureDestination',
      `kind ${failure.kind}`,
      "a FailureDestination of kind 'sqs' or 's3'",
      'the redrive reads the on-failure records from a queue or a bucket; an SNS topic keeps nothing to read',
    );
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

/** The operators the redrive function applies again (handlers/common/filter-pattern.ts). */
const REDRIVE_FILTER_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists'];

/** Operators in the consumer's filter patterns that the redrive could not apply faithfully. */
function unsupportedOperators(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) {
      if (item && typeof item === 'object' && !Array.isArray(item))
        for (const op of Object.keys(item)) if (!REDRIVE_FILTER_OPERATORS.includes(op)) found.add(op);
    }
  } else if (node && typeof node === 'object') {
    // $or holds alternative patterns, not a list of rules.
    for (const [k, v] of Object.entries(node)) {
      if (k === '$or' && Array.isArray(v)) {
        for (const alt of v) unsupportedOperators(alt, found);
      } else unsupportedOperators(v, found);
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
    if (ops.length)
      v.fail(
        `consumer.filters[${i}]`,
        p,
        `a pattern using only ${REDRIVE_FILTER_OPERATORS.join(', ')} and value lists`,
        `the redrive re-applies the mapping's filters to re-read records and does not implement ${ops.join(', ')}`,
      );
  }
  const bytes = Buffer.byteLength(JSON.stringify(environment));
  if (bytes > ENV_BYTES)
    v.fail(
      'consumer.filters',
      `${bytes} bytes of environment`,
      `at most ${ENV_BYTES} bytes`,
      "the redrive gets the consumer's filter patterns through its environment, which Lambda limits to 4 KB",
    );
}
