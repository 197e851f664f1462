import { Annotations, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError } from '../errors';

/**
 * Collects every problem with one construct's props and throws them together, so a user fixes
 * a whole props object in one round instead of one error per synth.
 *
 * Messages follow one shape: `<construct path>: <prop> must be <allowed> (got <value>)`, with a
 * reason after the allowed range where the limit is not obvious. Values that are unresolved
 * tokens (references to other resources, variables) are not checked: they are only known to
 * Terraform.
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** An integer in [min, max]; `also` lists extra allowed values such as -1 for "infinite". */
  integer(prop: string, value: number | undefined, min: number, max: number, opts: { also?: number[]; why?: string } = {}): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    const allowedExtra = opts.also ?? [];
    const ok = Number.isInteger(value) && ((value >= min && value <= max) || allowedExtra.includes(value));
    if (!ok) {
      const range = `${allowedExtra.length ? `${allowedExtra.join(', ')} or ` : ''}an integer ${min}..${max}`;
      this.fail(prop, value, range, opts.why);
    }
    return this;
  }

  /** One of a fixed set of values (enums of the provider or the AWS API). */
  oneOf<T>(prop: string, value: T | undefined, allowed: readonly T[], why?: string): this {
    if (value === undefined || isToken(value)) return this;
    if (!allowed.includes(value)) this.fail(prop, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, why);
    return this;
  }

  /** A string that matches `pattern`; `described` says in words what the pattern allows. */
  matches(prop: string, value: string | undefined, pattern: RegExp, described: string, why?: string): this {
    if (value === undefined || Token.isUnresolved(value)) return this;
    if (!pattern.test(value)) this.fail(prop, value, described, why);
    return this;
  }

  /** A free-form rule; `message` is the whole finding after the construct path. */
  require(condition: boolean, message: string): this {
    if (!condition) this.problems.push(message);
    return this;
  }

  /** A setting that synthesizes and deploys but loses data or does nothing: a synth warning, not a refusal. */
  warn(prop: string, message: string): this {
    Annotations.of(this.scope).addWarning(`${prop} ${message}`);
    return this;
  }

  /** Records a finding about one prop in the standard shape. */
  fail(prop: string, value: unknown, allowed: string, why?: string): this {
    this.problems.push(`${prop} must be ${allowed}${why ? ` (${why})` : ''} (got ${show(value)})`);
    return this;
  }

  get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  /** Throws one error listing every problem found, each prefixed with the construct path. */
  throwIfInvalid(): void {
    if (!this.problems.length) return;
    const path = this.scope.node.path || this.scope.node.id;
    const lines = this.problems.map((p) => `${path}: ${p}`);
    throw new ValidationError(lines.join('\n'), lines);
  }
}

function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) || (value && typeof value === 'object')) return JSON.stringify(value);
  return String(value);
}
