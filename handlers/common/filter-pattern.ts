/**
 * The consumer mapping's filter criteria, applied again on redrive: the redrive re-reads whole
 * ranges, and the mapping only ever gave the function the records its filters matched, so the
 * records it dropped must be dropped again (not delivered to a function that never expected them).
 *
 * Lambda's filter syntax (the EventBridge pattern subset Lambda documents): fields match when
 * their value equals one of a list of values, or by the operators prefix, suffix,
 * equals-ignore-case, anything-but, numeric and exists; `$or` joins alternative patterns; a
 * record matches when any of the mapping's patterns matches. Patterns using other operators are
 * refused when the configuration is read, so a record is never dropped by a guess.
 */
export const SUPPORTED_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists'] as const;

export class FilterPatternError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses patterns (JSON strings) and checks every operator is one we apply faithfully. */
export function parsePatterns(patterns: string[]): Json[] {
  return patterns.map((p, i) => {
    let parsed: Json;
    try {
      parsed = JSON.parse(p);
    } catch (e) {
      throw new FilterPatternError(`filter pattern ${i} is not JSON: ${(e as Error).message}`);
    }
    checkOperators(parsed, `filter pattern ${i}`);
    return parsed;
  });
}

function checkOperators(node: Json, where: string): void {
  if (Array.isArray(node)) {
    for (const item of node) {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        for (const op of Object.keys(item)) {
          if (!(SUPPORTED_OPERATORS as readonly string[]).includes(op))
            throw new FilterPatternError(
              `${where}: operator "${op}" is not applied by the redrive (supported: ${SUPPORTED_OPERATORS.join(', ')})`,
            );
        }
      }
    }
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      // $or holds alternative patterns, not a list of rules.
      if (k === '$or' && Array.isArray(v)) {
        for (const [i, alt] of v.entries()) checkOperators(alt, `${where}.$or[${i}]`);
      } else checkOperators(v, `${where}.${k}`);
    }
  }
}

/** True when `record` (as Lambda delivers it) matches at least one pattern; no patterns match everything. */
export function matchesAny(record: unknown, patterns: Json[]): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesObject(record as Json, p));
}

function matchesObject(value: Json | undefined, pattern: Json): boolean {
  if (!pattern || typeof pattern !== 'object' || Array.isArray(pattern)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or' && Array.isArray(rule)) return rule.some((alt) => matchesObject(value, alt));
    const field = value && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
    if (Array.isArray(rule)) return matchesField(field, rule);
    return field !== undefined && matchesObject(field, rule);
  });
}

/** A leaf: the field matches when one of the rules matches it (or, for an array field, one of its elements). */
function matchesField(field: Json | undefined, rules: Json[]): boolean {
  return rules.some((rule) => {
    if (rule && typeof rule === 'object' && !Array.isArray(rule) && 'exists' in rule) return (field !== undefined) === rule.exists;
    if (field === undefined) return false;
    const values = Array.isArray(field) ? field : [field];
    return values.some((v) => matchesRule(v, rule));
  });
}

function matchesRule(v: Json, rule: Json): boolean {
  if (rule === null || typeof rule !== 'object') return v === rule;
  if (Array.isArray(rule)) return false;
  const [op, arg] = Object.entries(rule)[0] ?? [];
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && typeof arg === 'string' && v.startsWith(arg);
    case 'suffix':
      return typeof v === 'string' && typeof arg === 'string' && v.endsWith(arg);
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'anything-but':
      if (Array.isArray(arg)) return !arg.some((a) => a === v);
      if (arg && typeof arg === 'object') return !matchesRule(v, arg);
      return v !== arg;
    case 'numeric':
      return typeof v === 'number' && Array.isArray(arg) && numeric(v, arg);
    default:
      return false;
  }
}

function numeric(v: number, spec: Json[]): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const n = Number(spec[i + 1]);
    const ok = { '=': v === n, '<': v < n, '<=': v <= n, '>': v > n, '>=': v >= n }[String(spec[i])];
    if (!ok) return false;
  }
  return true;
}
