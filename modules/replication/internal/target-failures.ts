import type { AlarmOverride } from '../../alarms';
import type { TargetFailureReason } from '../../../handlers/contract';

/**
 * The reason kinds of handlers/common/sdk-errors.ts (`'transient'` and BlockedReason), which the
 * drainer publishes as the Reason dimension of TargetFailing, with what each means and what the
 * operator does about it (docs/alarms.md, "Replication alarms").
 */
export const TARGET_FAILURES: Record<TargetFailureReason, { readonly cause: string; readonly action: string }> = {
  transient: {
    cause: 'throttling, 5xx answers, timeouts or network errors in consecutive drain runs: an outage looks like this',
    action: "Check the AWS Health dashboard for the region and the target table's throttling; nothing to fix if the region is out.",
  },
  'access-denied': {
    cause: 'AccessDenied, UnrecognizedClient or InvalidSignature',
    action:
      "Restore dynamodb:PutItem on the target table for the writer's and the drainer's roles, or, across accounts, the " +
      "ReplicaAccessRole's trust and policy (a re-created writer role must be trusted again).",
  },
  'not-found': {
    cause: 'ResourceNotFound: the target table does not exist (deleted or renamed)',
    action: 'Restore the table (point-in-time recovery or a backup) or re-create it with the same name and keys.',
  },
  kms: {
    cause: "a KMS error: the target table's key is disabled, pending deletion, or its policy refuses the role",
    action: 'Re-enable the key or cancel its deletion, and check that its key policy allows the role.',
  },
  validation: {
    cause: 'ValidationException or a similar rejection of the copied items (a key or index attribute of another type)',
    action: "Compare the target table's key and index schema with the source's; the rejected entries stay in the backlog.",
  },
  unknown: {
    cause: 'an error the writer could not classify (an unknown 4xx answer)',
    action: "Read the drainer's logs for the error's name and message.",
  },
};

/**
 * The drainer publishes TargetFailing once per run while a target fails: one period per run. A
 * blocked target alarms on the first failing run; a transient failure on two runs in a row when the
 * drainer runs every minute (a throttling blip does not page), on the first otherwise, so each
 * alarm fires within about two runs and two minutes of metric delay. Missing data is not
 * breaching: the metric exists only while the target fails (a drainer that does not run at all
 * publishes nothing, which the backlog alarm treats as breaching).
 */
export function targetFailingSettings(reason: string, intervalMinutes: number): AlarmOverride {
  const runs = reason === 'transient' && intervalMinutes === 1 ? 2 : 1;
  return {
    statistic: 'Sum',
    threshold: 0,
    period: intervalMinutes * 60,
    evaluationPeriods: runs,
    datapointsToAlarm: runs,
    treatMissingData: 'notBreaching',
  };
}
