import { App, TerraformStack } from 'cdktf';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';

let cached: string | undefined;

/**
 * The hashicorp/aws version the installed provider binding was generated from. cdktf pins the
 * provider to exactly that version, so it is the provider whose validation the configuration
 * meets. Read from a throwaway resource (the binding records it per resource, not statically).
 */
export function bindingAwsVersion(): string {
  cached ??=
    new LambdaFunction(new TerraformStack(new App({ skipValidation: true }), 'probe'), 'probe', { functionName: 'probe', role: 'probe' })
      .terraformGeneratorMetadata?.providerVersion ?? 'unknown';
  return cached;
}

/** Whether dotted version `a` is at least `b` (numeric parts; an unknown version is not). */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.some(Number.isNaN)) return false;
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) > (pb[i] ?? 0);
  return true;
}
