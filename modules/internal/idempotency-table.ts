/**
 * The idempotency table of a consumer (`idempotency`): the store of handlers/consumer/idempotency.ts.
 * Its item layout is the handler's: `id` (S) key, `expiresAt` (epoch s) TTL. On demand (its load is
 * the stream's, bursty), encrypted at rest with the AWS managed key (no key policy or grant to
 * manage), with point-in-time recovery: losing it means re-processing every change still in reach.
 */
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import type { IdempotencySettings } from '../props/consumer-toolkit';
import type { PolicyStatement } from '../props/policy';
import type { PropsValidator } from './validation';
import { CONSUMER_TOOLKIT_ENV, DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '../../handlers/contract';

/** The calls DynamoDBIdempotencyStore makes: claim and complete (PutItem), release (DeleteItem). */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'];
/**
 * What windowHandler adds on a Kinesis source: the markers of the changes each flush folded
 * (BatchWriteItem) and their reads by later windows (BatchGetItem), so a duplicate arriving in a
 * later window is not counted again (handlers/consumer/folded.ts). A DynamoDB stream has no such
 * duplicates: each change is one record, and a record belongs to one window.
 */
export const WINDOW_MARKER_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'];

/** Checks `idempotency`; returns its settings, or undefined when off. */
export function idempotencySettings(
  v: PropsValidator,
  value: boolean | IdempotencySettings | undefined,
): Required<IdempotencySettings> | undefined {
  if (value === undefined || value === false) return undefined;
  const ttlSeconds = value === true ? DEFAULT_IDEMPOTENCY_TTL_SECONDS : (value.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 86_400 || ttlSeconds > 366 * 86_400) {
    v.fail(
      'idempotency.ttlSeconds',
      ttlSeconds,
      'an integer from 86400 (1 day) to 31622400 (366 days)',
      'a stream keeps records 24 h: a shorter memory lets a retried change through twice',
    );
  }
  return { ttlSeconds };
}

export interface IdempotencyTable {
  readonly table: DynamodbTable;
  readonly environment: Record<string, string>;
  readonly statements: PolicyStatement[];
}

export function createIdempotencyTable(
  scope: Construct,
  name: string,
  settings: Required<IdempotencySettings>,
  provider: TerraformProvider | undefined,
  tags: Record<string, string> | undefined,
  windowMarkers: boolean,
): IdempotencyTable {
  const table = new DynamodbTable(scope, 'IdempotencyTable', {
    provider,
    name,
    billingMode: 'PAY_PER_REQUEST',
    hashKey: 'id',
    attribute: [{ name: 'id', type: 'S' }],
    ttl: { attributeName: 'expiresAt', enabled: true },
    serverSideEncryption: { enabled: true },
    pointInTimeRecovery: { enabled: true },
    tags,
  });
  return {
    table,
    environment: {
      [CONSUMER_TOOLKIT_ENV.idempotencyTable]: table.name,
      [CONSUMER_TOOLKIT_ENV.idempotencyTtlSeconds]: String(settings.ttlSeconds),
    },
    statements: [
      {
        sid: 'IdempotencyRecords',
        actions: [...IDEMPOTENCY_ACTIONS, ...(windowMarkers ? WINDOW_MARKER_ACTIONS : [])],
        resources: [table.arn],
      },
    ],
  };
}
