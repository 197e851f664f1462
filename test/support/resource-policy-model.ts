/**
 * A MODEL of how a resource policy's Deny statements apply to a request (IAM has no local
 * counterpart), after the IAM user guide's "Policy evaluation logic": an explicit Deny whose
 * principal, action, resource and conditions all match wins over any Allow. Covers the condition
 * operators the constructs use (Bool, ArnEquals, ArnNotEquals, StringEquals, Null) and `*` wildcards.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** aws:PrincipalArn: the role ARN for a role session; absent for a request without an IAM principal. */
  readonly principalArn?: string;
  readonly secureTransport?: boolean;
}

/** Whether an explicit Deny of `policyJson` (a synthesized resource policy, references resolved by the caller) denies `request`. */
export function explicitlyDenied(policyJson: string, request: Request): boolean {
  const policy = JSON.parse(policyJson);
  return policy.Statement.some((s: any) => s.Effect === 'Deny' && matches(s, request));
}

function matches(s: any, r: Request): boolean {
  if (s.Principal !== '*' && !list(s.Principal?.AWS).some((p) => r.principalArn !== undefined && glob(p, r.principalArn))) return false;
  if (!list(s.Action).some((a) => glob(a, r.action))) return false;
  if (!list(s.Resource).some((res) => glob(res, r.resource))) return false;
  const context: Record<string, string | undefined> = {
    'aws:PrincipalArn': r.principalArn,
    'aws:SecureTransport': String(r.secureTransport ?? true),
  };
  return Object.entries<any>(s.Condition ?? {}).every(([op, keys]) =>
    Object.entries<any>(keys).every(([key, values]) => condition(op, context[key], list(values))),
  );
}

function condition(op: string, actual: string | undefined, values: string[]): boolean {
  switch (op) {
    case 'Bool':
    case 'StringEquals':
    case 'ArnEquals':
      return actual !== undefined && values.some((v) => glob(v, actual));
    // A ...Not... operator matches when the key is absent, too.
    case 'ArnNotEquals':
      return actual === undefined || !values.some((v) => glob(v, actual));
    // "true": the key is absent; "false": it is present.
    case 'Null':
      return values.some((v) => (v === 'true') === (actual === undefined));
    default:
      throw new Error(`the model does not know condition operator ${op}`);
  }
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [String(v)]);

function glob(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(value);
}
