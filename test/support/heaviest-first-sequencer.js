/**
 * Runs the longest test files first, so that with two workers the last file to finish starts
 * early and neither core idles at the end of the run (longest-processing-time-first scheduling).
 * Jest already orders by the durations it recorded in its cache; on a machine without that cache
 * (a fresh CI runner) it falls back to file size, which puts some of the longest files last. For
 * those, the seconds below (each file's wall time in a run of 2026-12-06, 2 workers, on a busy
 * machine, halved) stand in until Jest has its own measurement; only their order matters.
 */
const Sequencer = require('@jest/test-sequencer').default;

const ESTIMATED_SECONDS = {
  // plan-review plans the review tier's shared batch (test/review/support/review-plans.ts); the
  // other review files wait for it, so it starts first and they start later.
  'test/review/plan-review.test.ts': 200,
  'test/handlers/convergence-kinesis.test.ts': 110,
  'test/handlers/convergence.test.ts': 100,
  'test/handlers/backfill-convergence.test.ts': 90,
  'test/local/terraform-apply.test.ts': 85,
  // The first file to ask for a planned stack plans all of them (test/support/stack-plans.ts).
  'test/modules/replication-terraform.test.ts': 45,
  'test/review/cli.test.ts': 55,
  'test/examples/existing-estate.test.ts': 30,
  'test/local/outage.test.ts': 30,
  'test/handlers/consumer-proof.test.ts': 25,
  'test/modules/alarms-terraform.test.ts': 25,
  'test/review/plan-input.test.ts': 20,
  'test/review/sensitive.test.ts': 15,
  'test/review/force-new.test.ts': 15,
};

class HeaviestFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const estimate = (test) => {
      const relative = test.path
        .slice(test.context.config.rootDir.length + 1)
        .split('\\')
        .join('/');
      return ESTIMATED_SECONDS[relative];
    };
    for (const test of sorted) if (test.duration == null && estimate(test) != null) test.duration = estimate(test) * 1000;
    // Stable: files without a duration keep Jest's order (largest first) after the rest.
    return sorted
      .map((test, index) => ({ test, index }))
      .sort((a, b) => (b.test.duration ?? -1) - (a.test.duration ?? -1) || a.index - b.index)
      .map(({ test }) => test);
  }
}

module.exports = HeaviestFirstSequencer;
