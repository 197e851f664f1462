/**
 * A virtual clock for pacing tests: `sleep` moves time forward by exactly what was asked, on the
 * next turn of the event loop, so schedules can be read without waiting. Meant for one sleeper at
 * a time (sleeps add up). Every sleep is logged.
 */
import type { Clock } from '../../../handlers/backfill/pacing';

export class FakeClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Time moves when the sleeper wakes, so work started before that still reads the earlier time. */
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) =>
      setImmediate(() => {
        this.t += ms;
        resolve();
      }),
    );
  }
}
