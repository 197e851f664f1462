/**
 * What the replica writer's per-key work (execute.ts, settle.ts, kinesis-fold.ts) needs: clients,
 * parking, state, counters; and how the work of one key ends. It ends early in one of two ways: a
 * transient failure (transient.ts: the key's records are retried) or parking (park.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ReplicaTarget, ReplicationConfig } from './config';
import type { KeyStateStore } from './key-state';
import type { Backlog } from './backlog';
import type { TargetBreaker } from './breaker';
import type { Parker } from './park';
import type { Tally } from './tally';

export interface ExecuteDeps {
  readonly config: ReplicationConfig;
  /** Client of the source table's region (writes in place). */
  readonly source: DynamoDBClient;
  readonly targets: readonly { readonly target: ReplicaTarget; readonly client: DynamoDBClient }[];
  readonly parker: Parker;
  readonly state: KeyStateStore;
  /** Where a target's copies wait while it fails; without it a failed copy makes the key retry. */
  readonly backlog?: Backlog;
  readonly breaker?: TargetBreaker;
  /** Aborts target writes when the invocation must stop waiting for them (its own timeout is near). */
  readonly deadline?: AbortSignal;
  readonly tally: Tally;
  readonly now: () => number;
  /**
   * The records come from the redrive, out of stream order: later records of the same keys may
   * have been settled already, so nothing that rewrites content in place is safe.
   */
  readonly outOfOrder: boolean;
  readonly log: (level: 'warn' | 'error', message: string, extra: Record<string, unknown>) => void;
}

export type KeyOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };
