/**
 * The write phase of `npm run local -- --outage`: `seconds` of writes, then the region taken away
 * (the workload fails over first, and waits for its writes in flight there), brought back after
 * the outage's seconds, and `seconds` more of writes. Resolves, once the writes are done, with
 * when (a promise) the backlogs first held nothing for the region after its return.
 */
import type { BacklogMonitor } from '../run/backlog-monitor';
import type { LoadGenerator } from '../run/load';
import type { RunLog } from '../run/run-log';
import type { RegionOutage } from './region-outage';

export async function writeThroughOutage(a: {
  readonly load: LoadGenerator;
  readonly outage: RegionOutage;
  readonly backlog: BacklogMonitor;
  readonly log: RunLog;
  readonly rate: number;
  readonly seconds: number;
}): Promise<{ drainedAt: Promise<number | undefined> }> {
  const { load, outage, log } = a;
  let until = Number.POSITIVE_INFINITY;
  const writing = load.run(a.rate, () => until);
  try {
    await new Promise((resolve) => setTimeout(resolve, a.seconds * 1000));
    await load.failOver(outage.region);
    await outage.takeDown();
    log.line(`${outage.region} down: requests signed for it are cut, its DynamoDB Local killed; writes there go to the other regions`);
    await outage.bringBack();
    load.failBack(outage.region);
    log.line(`${outage.region} back after ${((outage.upAt! - outage.downAt!) / 1000).toFixed(1)} s, with its data`);
  } finally {
    until = Date.now() + a.seconds * 1000;
  }
  await writing;
  // The backlog monitor keeps its readings: this finds the first empty one after the return.
  const drainedAt = a.backlog.emptyFor(outage.region, outage.upAt!, 600_000).then(
    (r) => r.at,
    () => undefined,
  );
  return { drainedAt };
}
