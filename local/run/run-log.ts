/**
 * What `npm run local` prints while it runs: phase lines, and a live status line that rewrites
 * itself on a terminal (and is printed every few seconds otherwise, for CI logs). Functions'
 * output goes to a file instead, to keep the terminal readable.
 */
import { appendFileSync, writeFileSync } from 'fs';

export class RunLog {
  private liveShown = false;
  private lastLivePrinted = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {}

  line(text: string): void {
    if (this.quiet) return;
    this.clearLive();
    this.out.write(`${text}\n`);
  }

  live(text: string): void {
    if (this.quiet) return;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.liveShown = true;
    } else if (Date.now() - this.lastLivePrinted >= 5000) {
      this.out.write(`${text}\n`);
      this.lastLivePrinted = Date.now();
    }
  }

  /** An appender for `path` (created empty). */
  file(path: string): (line: string) => void {
    writeFileSync(path, '');
    return (line) => appendFileSync(path, `${line}\n`);
  }

  private clearLive(): void {
    if (this.liveShown) this.out.write('\r\x1b[2K');
    this.liveShown = false;
  }
}
