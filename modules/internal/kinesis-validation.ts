import { LIMITS } from './limits';
import { KINESIS_STREAM_NAME } from './source-rules';
import { positiveInteger } from './table-schema';
import { PropsValidator } from './validation';
import type { KinesisStreamOptions } from '../props/kinesis';

/** Kinesis retention, in hours (IncreaseStreamRetentionPeriod / the provider's retention_period). */
export const KINESIS_RETENTION_HOURS = [24, 8760] as const;

/** Checks the options of a stream to create; with an existing stream, no option may be set. */
export function validateKinesisStream(v: PropsValidator, o: KinesisStreamOptions, name: string, existing: boolean): void {
  if (existing) {
    for (const [k, value] of Object.entries(o)) {
      if (value !== undefined) v.fail(`stream.${k}`, value, 'unset', 'existingStream is given, so no stream is created here');
    }
    return;
  }
  v.matches('stream.streamName', name, KINESIS_STREAM_NAME.pattern, KINESIS_STREAM_NAME.described);
  const mode = o.capacityMode ?? 'ON_DEMAND';
  v.oneOf('stream.capacityMode', mode, ['ON_DEMAND', 'PROVISIONED'] as const);
  if (mode === 'PROVISIONED') {
    if (o.shardCount === undefined)
      v.fail('stream.shardCount', undefined, 'an integer >= 1', 'capacityMode PROVISIONED needs a shard count');
    else positiveInteger(v, 'stream.shardCount', o.shardCount);
  } else if (o.shardCount !== undefined) {
    v.fail('stream.shardCount', o.shardCount, 'unset', 'capacityMode ON_DEMAND scales its shards itself');
  }
  v.integer('stream.retentionHours', o.retentionHours, ...KINESIS_RETENTION_HOURS, { why: 'Kinesis keeps records 24 hours to 365 days' });
  v.matches('stream.kmsKeyArn', o.kmsKeyArn, LIMITS.kmsKeyArn.pattern, LIMITS.kmsKeyArn.described, LIMITS.kmsKeyArn.why);
}
