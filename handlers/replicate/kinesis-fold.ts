/**
 * Folds a key's late Kinesis changes into what was settled without them (docs/replication-protocol.md,
 * "Late changes"). A change that arrives after later changes of its key were settled (the wait for
 * it ran out, or the key's first changes came split across batches, with no digest to tell) may
 * carry versions above the floor the later local write was versioned with. That write then holds a
 * version below something its region had seen, which other regions may hold and would refuse to
 * give up: regions would disagree for good. So the late changes raise the key's floor, and the
 * key's last settled application write is given, in place, the version it would have had if they
 * had arrived in time (conditioned on the item still holding it). If a copy from another region
 * that ranks below the raised floor landed on it meanwhile, that copy is what the region now holds
 * below something it had seen: it is re-versioned in place the same way, so every region is again
 * offered a version at least as new as anything any region held.
 */
import { UpdateItemCommand, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { compareVersions, isVersion, Item, maxVersion, parseVersion, writerVersion } from '../lww';
import type { DecodedRecord } from '../common/decode';
import { classifyFailure, describeError } from '../common/sdk-errors';
import type { KeyState } from './key-plan';
import type { ExecuteDeps } from './execute-deps';
import { Transient } from './transient';

/** The re-versioning a key's late changes call for. */
export interface Fold {
  /** A record of the key (its table and key attributes). */
  readonly record: DecodedRecord;
  /** The newest version the late changes show the region had seen before its last application write. */
  readonly lateFloor: string;
  /** The last settled application write: its position and the version it was given. */
  readonly localPosition: string;
  readonly localVersion: string;
  /** The version it should have had: above the late floor, from the write's own time and position. */
  readonly version: string;
}

/**
 * The fold `lateFloor` calls for against the key's saved state, or undefined when the last settled
 * application write already ranks above it. `lateFloor` is the floor the late changes that came
 * before that write reach (planKey over them alone: every version in their images and the versions
 * minted for them).
 */
export function planFold(
  record: DecodedRecord,
  lateFloor: string | undefined,
  state: KeyState | undefined,
  self: string,
): Fold | undefined {
  if (lateFloor === undefined || state?.localPosition === undefined || state.localVersion === undefined) return undefined;
  if (compareVersions(lateFloor, state.localVersion) < 0) return undefined;
  const { localPosition, localVersion } = state;
  // Kinesis positions are creation times in microseconds: the write's own time, as writerVersion wants it.
  const version = writerVersion(Math.floor(Number(localPosition) / 1000), self, localPosition, maxVersion(lateFloor, localVersion));
  return { record, lateFloor, localPosition, localVersion, version };
}

/** The state the key's later changes start from once the fold is done: its floor includes the new version. */
export function foldedState(state: KeyState, fold: Fold): KeyState {
  return { ...state, floor: maxVersion(state.floor, fold.version), localVersion: fold.version };
}

/** Applies a fold; throws Transient for what a retry may fix. */
export async function executeFold(fold: Fold, deps: ExecuteDeps): Promise<void> {
  const { names, sourceRegion: self } = deps.config;
  let expected: Item | undefined;
  for (let round = 0; round < 6; round++) {
    try {
      await deps.source.send(new UpdateItemCommand(reversion(fold, expected, deps)));
      deps.tally.reversioned++;
      return;
    } catch (e) {
      if (classifyFailure(e) !== 'stale') throw new Transient(`re-versioning ${fold.record.sourceTable} in place: ${describeError(e)}`);
      const current = (e as { Item?: Item }).Item;
      const held = current?.[names.version]?.S;
      // Absent, without a version, or local: a later local write whose own record is still to be
      // settled, from the raised floor. At or above the late floor: nothing ranks below what was seen.
      if (!current || !isVersion(held) || compareVersions(held, fold.lateFloor) >= 0) return;
      if ((current[names.origin]?.S ?? parseVersion(held)?.region) === self) return;
      expected = current;
    }
  }
  throw new Transient(`the item of key ${fold.record.keyId} kept changing while its version was being raised`);
}

/**
 * The UpdateItem: sets the fold's version (and this region as origin) on the last application write
 * while the item holds it, or on `copy`, exactly as read (a copy from another region ranking below
 * the late floor). A copy loses its `_w`, which names a record of its own region.
 */
function reversion(fold: Fold, copy: Item | undefined, deps: ExecuteDeps): UpdateItemCommandInput {
  const { names, sourceRegion: self } = deps.config;
  const rec = fold.record;
  const base = {
    TableName: rec.sourceTable,
    Key: rec.keys,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  if (!copy) {
    return {
      ...base,
      UpdateExpression: 'SET #v = :v, #o = :self',
      ConditionExpression: '#v = :held AND #o = :self',
      ExpressionAttributeNames: { '#v': names.version, '#o': names.origin },
      ExpressionAttributeValues: { ':v': { S: fold.version }, ':self': { S: self }, ':held': { S: fold.localVersion } },
    };
  }
  const held = copy[names.version]!.S!;
  const version = writerVersion(Math.floor(Number(fold.localPosition) / 1000), self, fold.localPosition, maxVersion(fold.lateFloor, held));
  const origin = copy[names.origin]?.S;
  const marker = copy[names.writtenFor]?.S;
  return {
    ...base,
    UpdateExpression: 'SET #v = :v, #o = :self REMOVE #w',
    ConditionExpression: `#v = :cv AND ${origin === undefined ? 'attribute_not_exists(#o)' : '#o = :co'} AND ${marker === undefined ? 'attribute_not_exists(#w)' : '#w = :cw'}`,
    ExpressionAttributeNames: { '#v': names.version, '#o': names.origin, '#w': names.writtenFor },
    ExpressionAttributeValues: {
      ':v': { S: version },
      ':self': { S: self },
      ':cv': { S: held },
      ...(origin !== undefined ? { ':co': { S: origin } } : {}),
      ...(marker !== undefined ? { ':cw': { S: marker } } : {}),
    },
  };
}
