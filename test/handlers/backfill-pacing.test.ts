/**
 * The backfill's pacing as a schedule, not as timings: a virtual clock (FakeClock, below) stands in
 * for time, so the tests read the exact moments the token bucket grants writes and the exact
 * backoff delays, with no waiting.
 */
import { backoffDelay, Semaphore, TokenBucket } from '../../handlers/backfill/pacing';
import { FakeClock } from './support/fake-clock';

test('GIVEN a bucket of 100 tokens/s with a burst of 10 WHEN 30 writes ask at once THEN 10 go at once and the rest one every 10 ms', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(100, 10, clock);
  const grants = await Promise.all(Array.from({ length: 30 }, () => bucket.take()));
  expect(grants).toEqual([...Array(10).fill(0), ...Array.from({ length: 20 }, (_, i) => (i + 1) * 10)]);
});

test('GIVEN a bucket that was idle WHEN writes resume THEN at most the burst is granted at once, however long it idled', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(4, 2, clock);
  expect(await Promise.all([bucket.take(), bucket.take(), bucket.take()])).toEqual([0, 0, 250]);
  await clock.sleep(60_000);
  const t = clock.now();
  expect(await Promise.all([bucket.take(), bucket.take(), bucket.take()])).toEqual([t, t, t + 250]);
});

test('GIVEN a rate of 2.5 tokens/s WHEN 6 writes ask THEN grants are 400 ms apart after the burst (no drift from rounding)', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(2.5, 1, clock);
  expect(await Promise.all(Array.from({ length: 6 }, () => bucket.take()))).toEqual([0, 400, 800, 1200, 1600, 2000]);
});

test('GIVEN a throttled write WHEN the bucket is paused for 300 ms THEN no token is granted before the pause ends, and none accrued during it', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(100, 5, clock);
  await bucket.take();
  bucket.pause(300);
  const grants = await Promise.all(Array.from({ length: 6 }, () => bucket.take()));
  // 4 tokens were left; the pause keeps them but adds none.
  expect(grants).toEqual([300, 300, 300, 300, 310, 320]);
});

test('GIVEN no rate limit WHEN writes ask THEN they are granted at once, but a pause still holds them', async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(Infinity, 1, clock);
  expect(await Promise.all([bucket.take(), bucket.take(), bucket.take()])).toEqual([0, 0, 0]);
  bucket.pause(1000);
  expect(await bucket.take()).toBe(1000);
});

test('GIVEN the backoff WHEN retries follow each other THEN delays double from the base up to the cap, half fixed and half jitter', () => {
  const low = { baseMs: 100, capMs: 1000, random: () => 0 };
  const high = { ...low, random: () => 0.999999 };
  expect([0, 1, 2, 3, 4, 5, 40].map((a) => backoffDelay(a, low))).toEqual([50, 100, 200, 400, 500, 500, 500]);
  expect([0, 1, 2, 3, 4, 5, 40].map((a) => backoffDelay(a, high))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
});

test('GIVEN a bad rate or burst WHEN a bucket is made THEN it says what is allowed', () => {
  const clock = new FakeClock();
  expect(() => new TokenBucket(0, 1, clock)).toThrow('a token bucket needs a rate above 0 (got 0)');
  expect(() => new TokenBucket(1, 0, clock)).toThrow('a token bucket needs a burst of at least 1 (got 0)');
});

test('GIVEN a semaphore of 3 WHEN 10 tasks run THEN never more than 3 are in flight, and all finish', async () => {
  const sem = new Semaphore(3);
  let active = 0;
  let peak = 0;
  const done = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      sem.run(async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setImmediate(r));
        active--;
        return i;
      }),
    ),
  );
  expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(peak).toBe(3);
});
