/**
 * Reads the small subset of HCL expressions cdktf writes into `cdk.tf.json` for documents built
 * with `Fn.jsonencode` (IAM policies): `${jsonencode({"Version" = "...", "Statement" = [...]})}`.
 * Object keys, tuples, strings, numbers and booleans become JSON values; anything else (a
 * reference such as `aws_dynamodb_table.orders.stream_arn`, a function call) is kept as the
 * string `${<expression>}`, which compares equal exactly when the expression is the same.
 */
import { Masked } from './sensitive';

/** The JSON value of a policy-like attribute, or undefined when it is neither JSON nor jsonencode(). */
export function documentValue(raw: unknown): unknown {
  // A masked (sensitive) document is never read: its content must not surface in findings.
  if (typeof raw !== 'string') return raw && typeof raw === 'object' && !(raw instanceof Masked) ? raw : undefined;
  const text = raw.trim();
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(text);
  if (m) {
    try {
      const p = new Parser(m[1]);
      const v = p.value();
      p.end();
      return v;
    } catch {
      return undefined;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.tuple();
    if (c === '"') return this.string();
    return this.bare();
  }

  end(): void {
    this.ws();
    if (this.i !== this.s.length) throw new Error(`unexpected ${this.s.slice(this.i, this.i + 10)}`);
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }

  private object(): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return o;
      }
      const key = this.s[this.i] === '"' ? this.string() : this.identifier();
      this.ws();
      if (this.s[this.i] !== '=' && this.s[this.i] !== ':') throw new Error('expected = in object');
      this.i++;
      o[key] = this.value();
      this.ws();
      if (this.s[this.i] === ',') this.i++;
    }
  }

  private tuple(): unknown[] {
    const a: unknown[] = [];
    this.i++;
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return a;
      }
      a.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
    }
  }

  /** A quoted string; interpolations inside are copied verbatim. */
  private string(): string {
    let out = '';
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '\\') {
        const n = this.s[this.i + 1];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        this.i += 2;
      } else if (c === '$' && this.s[this.i + 1] === '{') {
        const start = this.i;
        this.skipBalanced('{', '}', this.i + 1);
        out += this.s.slice(start, this.i);
      } else {
        out += c;
        this.i++;
      }
    }
    throw new Error('unterminated string');
  }

  private identifier(): string {
    const m = /^[A-Za-z_][\w-]*/.exec(this.s.slice(this.i));
    if (!m) throw new Error('expected a key');
    this.i += m[0].length;
    return m[0];
  }

  /** A number, boolean, null, or an opaque expression up to the next top-level separator. */
  private bare(): unknown {
    const start = this.i;
    while (this.i < this.s.length && !',}]'.includes(this.s[this.i])) {
      const c = this.s[this.i];
      if (c === '(') this.skipBalanced('(', ')', this.i);
      else if (c === '[') this.skipBalanced('[', ']', this.i);
      else if (c === '{') this.skipBalanced('{', '}', this.i);
      else if (c === '"') this.string();
      else this.i++;
    }
    const text = this.s.slice(start, this.i).trim();
    if (text === '') throw new Error('expected a value');
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null') return null;
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    return '${' + text + '}';
  }

  /** Moves past the bracket that closes the one at `from`, skipping quoted strings. */
  private skipBalanced(open: string, close: string, from: number): void {
    let depth = 0;
    this.i = from;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === '"') {
        this.string();
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) return void this.i++;
      this.i++;
    }
    throw new Error(`unbalanced ${open}`);
  }
}
