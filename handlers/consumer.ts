/**
 * Handler-side toolkit for a StreamConsumer's function (`cdktf-dynamodb-streams/consumer`,
 * docs/consumer-toolkit.md): one typed change for DynamoDB streams and Kinesis Data Streams for
 * DynamoDB, at-most-once processing per change, per-key order in partial batch responses, and
 * retries of transient errors with backoff:
 *
 *   export const handler = changeHandler<Order>(async (change) => {
 *     if (change.eventName === 'INSERT') await notify(change.newImage!);
 *   });
 */
import type { Context } from 'aws-lambda';
import { BatchItemFailures, ChangeHandler, ChangeHandlerOptions, processRecords } from './consumer/batch';
import type { SourceRecord, Unmarshalled } from './consumer/change';
import { configuredViewType } from './consumer/change';
import { idempotencyStoreFromEnvironment } from './consumer/idempotency';

export { isTransientError, TransientError, withBackoff } from './consumer/backoff';
export type { BackoffOptions } from './consumer/backoff';
export { processRecords, itemIdentifier } from './consumer/batch';
export type { BatchItemFailures, BatchOutcome, ChangeContext, ChangeHandler, ChangeHandlerOptions } from './consumer/batch';
export {
  configuredViewType,
  ImageNotInViewError,
  STREAM_VIEW_TYPES,
  toChange,
  unmarshallItem,
  unmarshallValue,
  VIEW_TYPE_ENV,
} from './consumer/change';
export type { Change, ChangePosition, ChangeTime, SourceRecord, StreamViewType, Unmarshalled } from './consumer/change';
export { FlushInProgressError } from './consumer/folded';
export { windowHandler } from './consumer/window';
export type { WindowedEvent, WindowFlush, WindowOptions, WindowResult } from './consumer/window';
export {
  DEFAULT_IDEMPOTENCY_TTL_SECONDS,
  DynamoDBIdempotencyStore,
  IDEMPOTENCY_TABLE_ENV,
  IDEMPOTENCY_TTL_ENV,
  idempotencyStoreFromEnvironment,
} from './consumer/idempotency';
export type { Claim, CommandSender, DynamoDBIdempotencyStoreOptions, IdempotencyStore, TransactPut } from './consumer/idempotency';

/** A Lambda handler for a stream or Kinesis event that calls `handle` once per change. */
export function changeHandler<T = Record<string, Unmarshalled>, K = Record<string, Unmarshalled>>(
  handle: ChangeHandler<T, K>,
  options: ChangeHandlerOptions = {},
): (event: { Records: SourceRecord[] }, context?: Context) => Promise<BatchItemFailures> {
  let resolved: ChangeHandlerOptions | undefined;
  return async (event, context) => {
    // Configuration is read once per cold start (environment, idempotency client), not per record.
    resolved ??= {
      ...options,
      idempotency: options.idempotency ?? (await idempotencyStoreFromEnvironment()),
      viewType: options.viewType ?? configuredViewType(),
    };
    const outcome = await processRecords(event.Records ?? [], handle, resolved, context);
    return outcome.response;
  };
}
