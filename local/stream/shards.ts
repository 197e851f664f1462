/**
 * The shards of one DynamoDB stream and the order they must be read in. DynamoDB closes a shard
 * every few hours (DynamoDB Local every 4 hours, or on demand: `DynamoDbLocal.rolloverShards`)
 * and opens one or more children; a reader that keeps records in order per key reads a child
 * only after its parent is exhausted, as Lambda does. A parent that is no longer listed (trimmed
 * after the 24 h retention) does not hold its children back.
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, Shard } from '@aws-sdk/client-dynamodb-streams';

export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** Set once the shard is closed: no record after it will ever be written to this shard. */
  readonly endingSequenceNumber?: string;
}

/** Every shard of the stream (DescribeStream pages through ExclusiveStartShardId). */
export async function describeShards(client: DynamoDBStreamsClient, streamArn: string): Promise<ShardInfo[]> {
  const shards: Shard[] = [];
  let start: string | undefined;
  do {
    const out = await client.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
    const page = out.StreamDescription?.Shards ?? [];
    shards.push(...page);
    start = out.StreamDescription?.LastEvaluatedShardId;
  } while (start);
  return shards.map((s) => ({
    shardId: s.ShardId!,
    parentShardId: s.ParentShardId,
    endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber,
  }));
}

/**
 * The shards that may be read now: not finished, and whose parent is finished or not listed.
 * Siblings of a split are independent of each other; each starts once their parent is done.
 */
export function readableShards(shards: readonly ShardInfo[], finished: ReadonlySet<string>): ShardInfo[] {
  const listed = new Set(shards.map((s) => s.shardId));
  return shards.filter(
    (s) => !finished.has(s.shardId) && (!s.parentShardId || !listed.has(s.parentShardId) || finished.has(s.parentShardId)),
  );
}
