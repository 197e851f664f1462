/**
 * Reads `terraform show -json <planfile>` into the normalized change list. Terraform already
 * decided replace vs update here; `replace_paths` says which attributes forced a replacement.
 */
import { Action, AttributeChange, ChangeSet, ResourceChange, StateChange, UNKNOWN, diffValues, pathKey } from './changes';
import { Masked, maskSensitive } from './sensitive';

interface PlanResourceChange {
  address: string;
  previous_address?: string;
  mode: string;
  type: string;
  change: {
    importing?: { id?: string };
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    after_unknown?: unknown;
    before_sensitive?: unknown;
    after_sensitive?: unknown;
    replace_paths?: (string | number)[][];
  };
}

/** Maps Terraform's action lists to one action; no-op and read are not changes to review. */
export function actionOf(actions: string[]): Action | undefined {
  const key = actions.join(',');
  switch (key) {
    case 'create':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      return undefined;
  }
}

/** Terraform's replace path `["local_secondary_index", 0, "range_key"]` -> `local_secondary_index.range_key`. */
function replacePathKey(p: (string | number)[]): string {
  return p.filter((s) => typeof s === 'string').join('.');
}

/** The changes of one plan; `stack` names the stack folder the plan was made in. */
export function changesFromPlan(show: any, stack: string): ResourceChange[] {
  if (!show || !Array.isArray(show.resource_changes ?? []))
    throw new Error('not a `terraform show -json` plan: resource_changes is missing');
  const out: ResourceChange[] = [];
  for (const rc of (show.resource_changes ?? []) as PlanResourceChange[]) {
    if (rc.mode !== 'managed') continue;
    const action = actionOf(rc.change.actions);
    if (!action) continue;
    const forced = (rc.change.replace_paths ?? []).map(replacePathKey);
    // Masked before diffing: nothing downstream ever sees a sensitive value, only whether it changed.
    const before = maskSensitive(rc.change.before, rc.change.before_sensitive);
    const after = maskSensitive(rc.change.after, rc.change.after_sensitive);
    const attributes: AttributeChange[] =
      action === 'update' || action === 'replace'
        ? diffValues(before, after, rc.change.after_unknown).map((d) => ({
            ...d,
            forcesReplacement:
              action === 'replace' && forced.some((f) => f !== '' && (pathKey(d.path) === f || pathKey(d.path).startsWith(f + '.'))),
          }))
        : [];
    out.push({
      stack,
      address: rc.address,
      type: rc.type,
      action,
      attributes,
      before,
      after: unknownsMarked(after, rc.change.after_unknown),
    });
  }
  return out;
}

/**
 * Moves (`previous_address`), forgets (`removed` blocks: action `forget`) and imports
 * (`importing`) of one plan. They change state, not (necessarily) infrastructure, so a plan made
 * only of them is not "no changes".
 */
export function stateChangesFromPlan(show: any, stack: string): StateChange[] {
  const out: StateChange[] = [];
  for (const rc of (show?.resource_changes ?? []) as PlanResourceChange[]) {
    if (rc.mode !== 'managed') continue;
    const base = { stack, address: rc.address, type: rc.type };
    if (rc.previous_address && rc.previous_address !== rc.address) out.push({ ...base, kind: 'move', from: rc.previous_address });
    if (rc.change.actions.includes('forget')) out.push({ ...base, kind: 'forget' });
    if (rc.change.importing) out.push({ ...base, kind: 'import', importId: rc.change.importing.id });
  }
  return out;
}

/** The change set of one or more plans (`stack` names the folder each was made in). */
export function changeSetFromPlans(plans: { show: any; stack: string }[]): ChangeSet {
  return {
    source: 'terraform plan',
    changes: plans.flatMap((p) => changesFromPlan(p.show, p.stack)),
    stateChanges: plans.flatMap((p) => stateChangesFromPlan(p.show, p.stack)),
  };
}

/** Copies `after` with unknown values present as the UNKNOWN marker, so checks can say "unknown until apply". */
function unknownsMarked(after: Record<string, unknown> | null, unknown: unknown): Record<string, unknown> | null {
  if (after === null) return null;
  const mark = (v: unknown, u: unknown): unknown => {
    if (u === true) return UNKNOWN;
    if (Array.isArray(v)) return v.map((x, i) => mark(x, Array.isArray(u) ? u[i] : undefined));
    if (v && typeof v === 'object' && !(v instanceof Masked)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v)) o[k] = mark((v as any)[k], u && typeof u === 'object' ? (u as any)[k] : undefined);
      if (u && typeof u === 'object' && !Array.isArray(u)) for (const k of Object.keys(u)) if ((u as any)[k] === true) o[k] = UNKNOWN;
      return o;
    }
    return v;
  };
  return mark(after, unknown) as Record<string, unknown>;
}
