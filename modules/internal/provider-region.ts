import { TerraformProvider, TerraformStack, Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import type { PropsValidator } from './validation';

/**
 * The provider a resource given `provider` lands on: that one, or the stack's default (un-aliased)
 * aws provider, or undefined when the stack declares none.
 */
export function effectiveProvider(scope: IConstruct, provider?: TerraformProvider): TerraformProvider | undefined {
  return (
    provider ??
    TerraformStack.of(scope).node.children.find(
      (c): c is TerraformProvider => c instanceof TerraformProvider && c.terraformResourceType === 'aws' && !c.alias,
    )
  );
}

/**
 * The region `provider`'s configuration names literally. Undefined when it names none (the
 * region then comes from AWS_REGION or the profile) or names it through a token (a variable, a
 * data source, a module's caller): only Terraform knows those, so nothing built on this can check them.
 */
export function literalProviderRegion(provider: TerraformProvider | undefined): string | undefined {
  const region = (provider as { region?: unknown } | undefined)?.region;
  return typeof region === 'string' && !Token.isUnresolved(region) ? region : undefined;
}

/** How messages name a provider: its construct path and its Terraform address (`aws` or `aws.<alias>`). */
export function describeProvider(provider: TerraformProvider): string {
  const alias = provider.alias;
  const address = `${provider.terraformResourceType}${alias && !Token.isUnresolved(alias) ? `.${alias}` : ''}`;
  return `${provider.node.path} (${address})`;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Reports to `v` when `region` is not the region `provider` (or the stack's default provider) is
 * configured for. Checked only when both are literals: a provider without a region, or with a
 * token for one, is Terraform's to resolve.
 */
export function checkProviderRegion(
  v: PropsValidator,
  scope: IConstruct,
  prop: string,
  region: string | undefined,
  provider: TerraformProvider | undefined,
  consequence: string,
): void {
  // A malformed region is reported by its own rule.
  if (region === undefined || Token.isUnresolved(region) || !REGION_NAME.test(region)) return;
  const p = effectiveProvider(scope, provider);
  const configured = literalProviderRegion(p);
  if (p && configured !== undefined && configured !== region)
    v.fail(prop, region, `the region of its provider ${describeProvider(p)}, which is configured for ${configured}`, consequence);
}
