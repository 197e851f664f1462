/**
 * The random histories of the replication property tests (moved from contract-histories.ts, which
 * runs them): writes of every kind in any region, stepped deliveries with crashes and throttled
 * keys, re-deliveries, skewed clocks, and on Kinesis the writers' clock jumps past the wait limit.
 */
import fc from 'fast-check';
import { OpKind } from './causal-oracle';
import { REGIONS } from './world';

export const KEYS = 2;
export const SKEW_MS = 5_000;

export type Op =
  | { t: 'write'; region: number; key: number; kind: OpKind; value: number; jitter: number }
  | { t: 'step'; region: number; max: number; duplicate: boolean; crashAfter: number | undefined; failKey: number | undefined }
  | { t: 'replay'; region: number; index: number; redrive: boolean }
  /** The region's writer clock moves past the Kinesis wait limit: a key waiting for an earlier change goes ahead without it. */
  | { t: 'later'; region: number };

export const region = fc.integer({ min: 0, max: REGIONS.length - 1 });
/** One step in four. */
export const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
export const writeOp = fc.record({
  t: fc.constant('write' as const),
  region,
  key: fc.integer({ min: 0, max: KEYS - 1 }),
  kind: fc.constantFrom<OpKind>('put', 'update', 'delete', 'rawPut', 'rawUpdate', 'rawDelete'),
  value: fc.integer({ min: 0, max: 9 }),
  // A few distinct milliseconds, not in write order: same-millisecond writes and clocks that step back.
  jitter: fc.integer({ min: 0, max: 3 }),
});
export const stepOp = fc.record({
  t: fc.constant('step' as const),
  region,
  max: fc.integer({ min: 1, max: 4 }),
  duplicate: fc.boolean(),
  crashAfter: sometimes(fc.integer({ min: 0, max: 3 })),
  failKey: sometimes(fc.integer({ min: 0, max: KEYS - 1 })),
});
export const replayOp = fc.record({ t: fc.constant('replay' as const), region, index: fc.nat(20), redrive: fc.boolean() });
export const skews = fc.array(fc.integer({ min: -SKEW_MS, max: SKEW_MS }), { minLength: REGIONS.length, maxLength: REGIONS.length });
export const history: fc.Arbitrary<History> = fc.record({
  ops: fc.array(fc.oneof({ weight: 5, arbitrary: writeOp }, { weight: 4, arbitrary: stepOp }, { weight: 2, arbitrary: replayOp }), {
    minLength: 1,
    maxLength: 24,
  }),
  appSkew: skews,
  writerSkew: skews,
});

/**
 * Kinesis histories: as `history`, and now and then a region's writer clock jumps past the wait
 * limit for a missing change (WAIT_JUMP_MS); in one history in four the writers do not wait at all
 * (`noWait`: every change held back in the feed arrives after the writer went ahead without it).
 */
export const kinesisHistory: fc.Arbitrary<History> = fc.record({
  ops: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: writeOp },
      { weight: 4, arbitrary: stepOp },
      { weight: 2, arbitrary: replayOp },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('later' as const), region }) },
    ),
    { minLength: 1, maxLength: 24 },
  ),
  appSkew: skews,
  writerSkew: skews,
  noWait: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
});

/** How far a `later` op moves a writer's clock: past the writers' default Kinesis wait (60 s). */
export const WAIT_JUMP_MS = 61_000;

export type History = { ops: Op[]; appSkew: number[]; writerSkew: number[]; noWait?: boolean };
