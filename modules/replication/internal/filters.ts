/**
 * Event filter patterns of a replica writer's mapping (Lambda drops records that match no pattern
 * before invoking, so a dropped record costs nothing). Two independent reasons to filter:
 *
 * - `stampedWritesOnly`: every application writes through handlers/client.ts, so each record that
 *   needs replicating carries `_o == <this region>`. Echoes (`_o` of another region) are the
 *   other records; dropping them halves the invocations of a two-region table. Unstamped writes
 *   are dropped too, which is why this mode is only correct when every writer uses the helper.
 * - selective replication (`replicateItemsWhere`): only items whose new image matches replicate.
 *   Deletes must still pass, or a deleted item would live on in the targets: tombstones
 *   (`_d = true`) and hard deletes (REMOVE, which the writer turns into tombstones) always match.
 *
 * Both together: each pattern gets the origin condition added, since in Lambda's filter language
 * the fields of one pattern are ANDed and the patterns ORed.
 */
import type { LwwNames } from '../props';

export interface ReplicaFilterInput {
  /** Region whose stream the writer reads. */
  readonly sourceRegion: string;
  readonly names: LwwNames;
  readonly stampedWritesOnly: boolean;
  /** A pattern on attributes of the new image (`{ status: { S: ['ACTIVE'] } }`). */
  readonly replicateItemsWhere?: Record<string, unknown>;
}

/** The mapping's filter patterns, as objects; an empty list means "deliver everything". */
export function replicaFilterPatterns(input: ReplicaFilterInput): Record<string, unknown>[] {
  const { names, sourceRegion } = input;
  const origin = input.stampedWritesOnly ? { [names.origin]: { S: [sourceRegion] } } : {};
  const tombstone = { [names.deleted]: { BOOL: [true] } };
  if (!input.replicateItemsWhere) {
    return input.stampedWritesOnly ? [{ dynamodb: { NewImage: origin } }] : [];
  }
  const patterns: Record<string, unknown>[] = [
    { dynamodb: { NewImage: { ...input.replicateItemsWhere, ...origin } } },
    { dynamodb: { NewImage: { ...tombstone, ...origin } } },
  ];
  // With stamped writes only, deletes arrive as tombstones; a REMOVE is a TTL expiry, never replicated.
  if (!input.stampedWritesOnly) patterns.push({ eventName: ['REMOVE'] });
  return patterns;
}
