// Preloaded (--require) into benchmarked processes: writes the process's peak RSS in KiB when it exits.
import { writeFileSync } from 'fs';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
