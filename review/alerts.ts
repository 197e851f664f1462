/**
 * Every alert of a change set as data, ordered by harm across stacks: a lost table comes first
 * wherever its address sorts, then lost streams and mappings, lost queues and buckets, safety
 * regressions, widening; then the rest. A new kind of finding slots in by adding its kind to
 * HARM_RANK; a kind not listed still sorts by its severity, never in front of data loss.
 */
import { ResourceChange, cmp } from './changes';
import { iamFindings } from './iam-widening';
import { destructiveWarnings } from './warnings';

export interface Alert {
  /** What kind of harm; decides the order (HARM_RANK). */
  readonly kind: string;
  /** `alert` belongs in the warning section and fails --fail-on-destructive; `notice` is said calmly. */
  readonly severity: 'alert' | 'notice';
  readonly stack: string;
  readonly address: string;
  /** The argument concerned, shown after the address (`policy`); optional. */
  readonly attribute?: string;
  /** Short label shown in bold. */
  readonly label: string;
  /** One line of Markdown. */
  readonly text: string;
  /** A change that fixes it, printed as a code block under the text. */
  readonly fix?: { readonly language: string; readonly code: string };
}

/** Lower is worse. Gaps leave room for kinds added later. */
export const HARM_RANK: Readonly<Record<string, number>> = {
  'table-loss': 10,
  'replica-loss': 11,
  // A construct id rename reads as a destroy + create of the same table: loss unless a move is added.
  rename: 12,
  'stream-loss': 20,
  'mapping-loss': 21,
  'queue-loss': 30,
  'bucket-loss': 31,
  safety: 40,
  widening: 50,
  'policy-unknown': 55,
  forget: 60,
  import: 61,
  move: 62,
};
const UNLISTED_RANK = { alert: 45, notice: 70 } as const;

export function harmRank(a: Pick<Alert, 'kind' | 'severity'>): number {
  return HARM_RANK[a.kind] ?? UNLISTED_RANK[a.severity];
}

/** Worst first; ties by stack, address and label so the output is stable. */
export function byHarm<T extends Pick<Alert, 'kind' | 'severity' | 'stack' | 'address' | 'label'>>(alerts: T[]): T[] {
  return [...alerts].sort(
    (x, y) => harmRank(x) - harmRank(y) || cmp(x.stack, y.stack) || cmp(x.address, y.address) || cmp(x.label, y.label),
  );
}

/**
 * The alerts of a change list, worst first. `extra` takes findings made elsewhere (renames, safety
 * regressions, moves...) in the same shape.
 */
export function alertsOf(changes: ResourceChange[], extra: Alert[] = []): Alert[] {
  const warnings: Alert[] = destructiveWarnings(changes).map((w) => ({ ...w, kind: warningKind(w.label), severity: 'alert' }));
  const iam: Alert[] = iamFindings(changes).map((f) => ({
    kind: f.kind === 'widened' ? 'widening' : 'policy-unknown',
    severity: 'alert',
    stack: f.stack,
    address: f.address,
    label: f.kind === 'widened' ? 'IAM WIDENED' : 'IAM UNKNOWN UNTIL APPLY',
    attribute: f.attribute,
    text: `${f.details.join('; ')}.`,
  }));
  return byHarm([...warnings, ...iam, ...extra]);
}

/** The kind of a destructive warning, read from its label (`TABLE REPLACED`, `MAPPING DESTROYED`...). */
function warningKind(label: string): string {
  const [what] = label.split(' ');
  switch (what) {
    case 'TABLE':
      return 'table-loss';
    case 'REPLICA':
      return 'replica-loss';
    case 'NEW':
    case 'STREAM':
      return 'stream-loss';
    case 'MAPPING':
      return 'mapping-loss';
    case 'QUEUE':
      return 'queue-loss';
    case 'BUCKET':
      return 'bucket-loss';
    default:
      return 'unlisted';
  }
}
