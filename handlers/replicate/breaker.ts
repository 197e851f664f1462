/**
 * Per-container memory of targets that just failed: for a short cool-down after a failure, copies
 * to that target go straight to its backlog, so a target that is down or hangs costs one timeout
 * per container, not one per record. The drainer, and the first copy after the cool-down, find
 * out when it is back.
 */
export interface Tripped {
  /** 'transient' or the blocked reason kind. */
  readonly kind: string;
  readonly reason: string;
}

export class TargetBreaker {
  private readonly open = new Map<string, Tripped & { readonly until: number }>();

  constructor(private readonly cooldownMs: number) {}

  /** Why `target` is cooling down at `nowMs`, or undefined when copies may be tried. */
  tripped(target: string, nowMs: number): Tripped | undefined {
    const t = this.open.get(target);
    if (!t) return undefined;
    if (nowMs >= t.until) {
      this.open.delete(target);
      return undefined;
    }
    return t;
  }

  trip(target: string, kind: string, reason: string, nowMs: number): void {
    this.open.set(target, { kind, reason, until: nowMs + this.cooldownMs });
  }
}
