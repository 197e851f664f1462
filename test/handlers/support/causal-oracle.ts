/**
 * The ground truth of a replicated history, and the replication contract checked against it
 * (docs/replication-protocol.md, "The contract"). Nothing here trusts a version the replica
 * writers produced:
 *
 * - What each application did is logged as it happens: region, kind, the helper's version (the
 *   application's own clock), the content DynamoDB returned (ALL_NEW), the wall-clock time it
 *   completed, and which record of its region's real stream it produced.
 * - What each region had seen comes from its real stream (DynamoDB Local), which lists every state
 *   the item went through there. A state is matched to the application write whose content it is
 *   by a unique tag every write sets; tombstones, which carry no content, by the helper's version,
 *   or by the stream coordinates a writer records in the tombstone it writes for a hard delete.
 *   A write has seen itself, every state its region showed before it, and everything those states'
 *   writes had seen (happens-before).
 * - Versions: a helper write has its own version, unless it is not above what its region had seen
 *   (a clock behind), and a write made without the helper has none. Those must be ordered above
 *   everything their region had seen, and no later than when they were made (or just above what
 *   they had seen, if that is later). The oracle derives an interval per write from these rules.
 *
 * Then, per key: every region holds the same item; it is the content of one write (or a delete)
 * that no other write had seen (causally maximal); and against every write it had not seen, some
 * choice of versions within the intervals lets it win.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { decodeImage } from '../../../handlers/common/decode';
import { DEFAULT_ATTRIBUTE_NAMES, isTombstone, Item, makeVersion, parseVersion } from '../../../handlers/lww';

export type OpKind = 'put' | 'update' | 'delete' | 'rawPut' | 'rawUpdate' | 'rawDelete';

export interface AppWrite {
  readonly id: number;
  readonly region: string;
  readonly key: string;
  readonly kind: OpKind;
  /** The tag attribute value this write set (puts and updates). */
  readonly tag?: string;
  /** The helper's version (helper writes only): the application's clock. */
  readonly helperVersion?: string;
  /** What DynamoDB returned as the item after the write (ALL_NEW); undefined for hard deletes. */
  readonly after?: Item;
  /** Wall-clock ms when DynamoDB had acknowledged the write. */
  readonly madeBy: number;
  /** Sequence number of the record it produced in its region's stream. */
  sequenceNumber?: string;
}

const N = DEFAULT_ATTRIBUTE_NAMES;
const METADATA = new Set(Object.values(N));
export const TAG = 'tag';

/** What an application sees of an item: no replication metadata; nothing for a tombstone. */
export function visible(item: Item | undefined): string {
  return !item || isTombstone(item) ? 'deleted' : content(item);
}

/**
 * What a put or update made, replication metadata aside. An update of a deleted item revives it
 * (the contract), so a tombstone marker it kept in ALL_NEW is not part of what it made.
 */
function content(item: Item | undefined): string {
  if (!item) return 'deleted';
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(item)
        .filter((k) => !METADATA.has(k))
        .sort()
        .map((k) => [k, item[k]]),
    ),
  );
}

interface Bound {
  /** The version bound itself; compared as strings like every version. */
  readonly v: string;
}

export class CausalOracle {
  /**
   * @param positionOf where the writers place a region's stream record among its item's changes
   * (what a writer records as `_w`): its DynamoDB Streams sequence number, unless the writers read
   * another source (Kinesis: the change's creation time).
   */
  constructor(private readonly positionOf: (region: string, sequenceNumber: string) => string = (_r, seq) => seq) {}

  readonly writes: AppWrite[] = [];
  private readonly streams = new Map<string, DynamoDBRecord[]>();
  private readonly pastMemo = new Map<number, Set<number>>();
  private readonly inProgress = new Set<number>();
  private readonly minMemo = new Map<number, Bound>();
  private readonly maxMemo = new Map<number, Bound>();

  add(write: Omit<AppWrite, 'id'>): AppWrite {
    const w = { ...write, id: this.writes.length };
    this.writes.push(w);
    return w;
  }

  /** The complete stream of every region, in order, once every stream has drained. */
  setStreams(byRegion: Record<string, DynamoDBRecord[]>): void {
    for (const [r, list] of Object.entries(byRegion)) this.streams.set(r, list);
  }

  /** Checks one key's final items (one per region); returns the violations found. */
  check(key: string, finals: Record<string, Item | undefined>): string[] {
    const problems: string[] = [];
    const regions = Object.keys(finals);
    const texts = regions.map((r) => canonical(finals[r]));
    if (new Set(texts).size !== 1) {
      problems.push(`regions differ on ${key}: ${regions.map((r, i) => `${r}=${texts[i]}`).join(' | ')}`);
      return problems;
    }
    const ops = this.writes.filter((w) => w.key === key && w.sequenceNumber !== undefined);
    const final = finals[regions[0]];
    if (!final) {
      if (ops.length) problems.push(`${key} is absent everywhere, but ${ops.length} writes were made to it (a delete leaves a tombstone)`);
      return problems;
    }
    const winner = this.identify(final, `final item of ${key}`);
    const made = winner.kind.endsWith('elete') ? 'deleted' : content(winner.after);
    if (visible(final) !== made) {
      problems.push(
        `${key} holds ${visible(final)}, which is not what write #${winner.id} (${winner.kind} in ${winner.region}) made: ${made}`,
      );
    }
    for (const w of ops) {
      if (w.id === winner.id) continue;
      if (this.past(w.id).has(winner.id)) {
        problems.push(
          `${key}: write #${winner.id} (${winner.kind} in ${winner.region}) won, but write #${w.id} (${w.kind} in ${w.region}) had already seen it (causality)`,
        );
      } else if (!this.past(winner.id).has(w.id) && !(this.max(winner.id).v > this.min(w.id).v)) {
        problems.push(
          `${key}: write #${winner.id} (${winner.kind} in ${winner.region}, version at most ${this.max(winner.id).v}) won over the concurrent write #${w.id} ` +
            `(${w.kind} in ${w.region}, version at least ${this.min(w.id).v})`,
        );
      }
    }
    return problems;
  }

  /** Every write `id` had seen, itself included. */
  past(id: number): Set<number> {
    const memo = this.pastMemo.get(id);
    if (memo) return memo;
    const w = this.writes[id];
    if (this.inProgress.has(id))
      throw new Error(`write #${id} would have seen itself through another region: a state was matched to the wrong write`);
    this.inProgress.add(id);
    const out = new Set<number>([id]);
    for (const rec of this.stream(w.region)) {
      if (rec.dynamodb?.SequenceNumber === w.sequenceNumber) break;
      if (rec.dynamodb?.Keys?.pk?.S !== w.key) continue;
      const state = this.stateWrite(rec, w.region);
      if (state !== undefined) for (const p of this.past(state.id)) out.add(p);
    }
    this.inProgress.delete(id);
    this.pastMemo.set(id, out);
    return out;
  }

  /** The least version the write can have. */
  min(id: number): Bound {
    return memo(this.minMemo, id, () => {
      const w = this.writes[id];
      const floor = this.maxOf([...this.past(id)].filter((p) => p !== id).map((p) => this.min(p).v));
      if (w.helperVersion !== undefined && (floor === undefined || w.helperVersion > floor)) return { v: w.helperVersion };
      // Above the floor (any version strictly above it will do as a lower bound).
      return { v: floor ?? '' };
    });
  }

  /** The greatest version the write can have. */
  max(id: number): Bound {
    return memo(this.maxMemo, id, () => {
      const w = this.writes[id];
      const floor = this.maxOf([...this.past(id)].filter((p) => p !== id).map((p) => this.max(p).v));
      if (w.helperVersion !== undefined && (floor === undefined || w.helperVersion > floor)) return { v: w.helperVersion };
      // Needs a version from the writer: no later than when it was made, or just above what it had seen.
      const top = 'z'.repeat(48);
      const madeAt = makeVersion(w.madeBy, w.region, top);
      const justAbove = floor === undefined ? madeAt : makeVersion(parseVersion(floor)!.ms + 1, w.region, top);
      return { v: this.maxOf([madeAt, justAbove, w.helperVersion ?? ''])! };
    });
  }

  private maxOf(vs: string[]): string | undefined {
    return vs.reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  }

  private stream(region: string): DynamoDBRecord[] {
    const s = this.streams.get(region);
    if (!s) throw new Error(`no stream recorded for ${region}`);
    return s;
  }

  /** The write whose state a record shows (its new image, or the absence a hard delete left). */
  private stateWrite(rec: DynamoDBRecord, region: string): AppWrite | undefined {
    if (rec.eventName === 'REMOVE') return this.bySequence(region, rec.dynamodb!.SequenceNumber!, 'a REMOVE record');
    const index = this.stream(region).indexOf(rec);
    return this.identify(decodeImage(rec.dynamodb!.NewImage, 'NewImage'), `record ${rec.dynamodb?.SequenceNumber} of ${region}`, {
      region,
      index: index < 0 ? this.stream(region).length : index + 1,
    });
  }

  /**
   * Which application write an item's state stands for. `at`: the item is the state the origin's
   * stream showed just before its record at that index (the end of the stream by default).
   */
  identify(item: Item, where: string, at?: { region: string; index: number }): AppWrite {
    const tag = item[TAG]?.S;
    if (tag !== undefined) return this.one((w) => w.tag === tag, `${where}: tag ${tag}`);
    if (!isTombstone(item)) throw new Error(`${where} is neither tagged nor a tombstone: ${canonical(item)}`);
    const version = item[N.version]?.S;
    const helper = this.writes.find((w) => w.helperVersion !== undefined && w.helperVersion === version);
    if (helper) return helper;
    const origin = item[N.origin]?.S;
    const writtenFor = item[N.writtenFor]?.S;
    if (origin && writtenFor) {
      const n = (x: string) => x.replace(/^0+(?=\d)/, '');
      return this.one(
        (w) => w.region === origin && w.sequenceNumber !== undefined && n(this.positionOf(origin, w.sequenceNumber)) === n(writtenFor),
        `${where}: tombstone written for the ${origin} record at ${writtenFor}`,
      );
    }
    // A tombstone the writer re-versioned in place: the latest record (before `before`) that gave
    // the item this version replaced the tombstone it stands for. Not the first such record: a
    // later local delete can be raised back to the same version (the writer lifts a later local
    // write above the version it minted for an earlier record), so the version alone is ambiguous.
    if (origin && version) {
      const records = this.stream(origin);
      let i = at?.region === origin ? at.index : records.length;
      while (--i >= 0) {
        const r = records[i].dynamodb;
        if (r?.NewImage?.[N.version]?.S === version && r.OldImage?.[N.version]?.S !== version) break;
      }
      const rec = records[i]?.dynamodb;
      if (rec?.OldImage)
        return this.identify(
          decodeImage(rec.OldImage, 'OldImage'),
          `${where} (before ${origin} re-versioned it at ${rec.SequenceNumber})`,
          {
            region: origin,
            index: i,
          },
        );
    }
    throw new Error(`${where}: cannot tell which delete this tombstone stands for: ${canonical(item)}`);
  }

  private bySequence(region: string, seq: string, what: string): AppWrite {
    const n = (x: string | undefined) => x?.replace(/^0+(?=\d)/, '');
    return this.one((w) => w.region === region && n(w.sequenceNumber) === n(seq), `${what} (${region} record ${seq})`);
  }

  private one(pred: (w: AppWrite) => boolean, what: string): AppWrite {
    const found = this.writes.filter(pred);
    if (found.length !== 1) throw new Error(`${what} matches ${found.length} application writes`);
    return found[0];
  }
}

function memo<T>(cache: Map<number, T>, id: number, make: () => T): T {
  let v = cache.get(id);
  if (v === undefined) {
    v = make();
    cache.set(id, v);
  }
  return v;
}

export function canonical(item: Item | undefined): string {
  if (!item) return 'absent';
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(item)
        .sort()
        .map((k) => [k, item[k]]),
    ),
  );
}
