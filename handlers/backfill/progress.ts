/** Progress of a run as numbers (for callers) and as one line (for the CLI's stderr). */
import type { Counts } from './checkpoint';

export interface Progress {
  readonly mode: 'copy' | 'verify';
  readonly segmentsDone: number;
  readonly segmentsTotal: number;
  /** Counts of every settled page, earlier runs of the checkpoint included. */
  readonly totals: Counts;
  /** Counts of this run's settled pages. */
  readonly run: Counts;
  readonly elapsedMs: number;
  /** Items scanned per second in this run. */
  readonly itemsPerSecond: number;
  /** The source table's item count as DescribeTable reports it (refreshed by AWS about every 6 hours). */
  readonly estimatedItems?: number;
  /** Seconds left at this run's rate; undefined when it cannot be told. */
  readonly etaSeconds?: number;
}

/** One page settled and saved. */
export interface PageReport {
  readonly segment: number;
  /** Pages of this segment settled so far (this one included), over every run. */
  readonly pages: number;
  readonly items: number;
  readonly counts: Counts;
  /** True when this was the segment's last page. */
  readonly segmentDone: boolean;
}

export function progressOf(args: Omit<Progress, 'itemsPerSecond' | 'etaSeconds'>): Progress {
  const itemsPerSecond = args.elapsedMs > 0 ? (args.run.scanned * 1000) / args.elapsedMs : 0;
  let etaSeconds: number | undefined;
  if (args.segmentsDone === args.segmentsTotal) etaSeconds = 0;
  else if (args.estimatedItems !== undefined && itemsPerSecond > 0 && args.totals.scanned < args.estimatedItems) {
    etaSeconds = Math.ceil((args.estimatedItems - args.totals.scanned) / itemsPerSecond);
  }
  return { ...args, itemsPerSecond, ...(etaSeconds !== undefined ? { etaSeconds } : {}) };
}

export function formatProgress(p: Progress): string {
  const t = p.totals;
  const of = p.estimatedItems !== undefined ? ` of ~${n(p.estimatedItems)}` : '';
  const eta = p.etaSeconds === undefined ? 'ETA unknown' : `ETA ${duration(p.etaSeconds)}`;
  const outcome =
    p.mode === 'verify'
      ? `present ${n(t.present)} | missing ${n(t.missing)} | behind ${n(t.behind)} | skipped ${n(t.skipped)}`
      : `copied ${n(t.copied)} | stale ${n(t.stale)} | stamped ${n(t.stamped)} | skipped ${n(t.skipped)} | failed ${n(t.failed)}`;
  const filtered = t.filtered ? ` | filtered ${n(t.filtered)}` : '';
  return `segments ${p.segmentsDone}/${p.segmentsTotal} | scanned ${n(t.scanned)}${of} | ${outcome}${filtered} | ${n(Math.round(p.itemsPerSecond))} items/s | ${eta}`;
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}

export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
