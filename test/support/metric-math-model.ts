/**
 * A MODEL of CloudWatch metric math (no local counterpart), covering the functions the liveness
 * alarms use, after the user guide's "Using metric math": FILL(m, v) replaces a period without a
 * datapoint by v; arithmetic, comparisons (1 true, 0 false), AND and IF(condition, a, b) apply per
 * period; a metric without FILL and without a datapoint makes the period's result missing.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */

/** Per period: the value of each metric id, or undefined when the metric has no datapoint. */
export type PeriodValues = Record<string, number | undefined>;

/** Evaluates `expression` for one period; undefined when the result has no datapoint. */
export function evaluateMath(expression: string, values: PeriodValues): number | undefined {
  const tokens = expression.match(/\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|==|!=|>=|<=|&&|\|\||[-+*/(),<>])/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`model cannot parse: ${expression}`);
  let i = 0;
  const peek = () => tokens[i];
  const take = (t?: string) => {
    const got = tokens[i++];
    if (t !== undefined && got !== t) throw new Error(`expected ${t}, got ${got} in ${expression}`);
    return got;
  };
  type V = number | undefined;
  const lift = (a: V, b: V, f: (x: number, y: number) => number): V => (a === undefined || b === undefined ? undefined : f(a, b));
  function primary(): V {
    const t = take();
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (/^\d/.test(t)) return Number(t);
    if (t === 'FILL') {
      take('(');
      const id = take();
      take(',');
      const fill = Number(take());
      take(')');
      return values[id] ?? fill;
    }
    if (t === 'IF') {
      take('(');
      const c = or();
      take(',');
      const a = or();
      take(',');
      const b = or();
      take(')');
      return c === undefined ? undefined : c !== 0 ? a : b;
    }
    if (!(t in values)) throw new Error(`unknown metric id ${t} in ${expression}`);
    return values[t];
  }
  function sum(): V {
    let v = primary();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const r = primary();
      v = lift(v, r, (x, y) => (op === '+' ? x + y : x - y));
    }
    return v;
  }
  function compare(): V {
    let v = sum();
    while (['>', '<', '>=', '<=', '==', '!='].includes(peek() ?? '')) {
      const op = take();
      const r = sum();
      v = lift(v, r, (x, y) =>
        Number(op === '>' ? x > y : op === '<' ? x < y : op === '>=' ? x >= y : op === '<=' ? x <= y : op === '==' ? x === y : x !== y),
      );
    }
    return v;
  }
  function and(): V {
    let v = compare();
    while (peek() === 'AND' || peek() === '&&') {
      take();
      const r = compare();
      v = lift(v, r, (x, y) => Number(x !== 0 && y !== 0));
    }
    return v;
  }
  function or(): V {
    let v = and();
    while (peek() === 'OR' || peek() === '||') {
      take();
      const r = and();
      v = lift(v, r, (x, y) => Number(x !== 0 || y !== 0));
    }
    return v;
  }
  const v = or();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return v;
}
