import type { TerraformProvider } from 'cdktf';
import type { IConstruct } from 'constructs';
import { describeProvider, effectiveProvider, literalProviderRegion } from '../../internal/provider-region';
import type { PropsValidator } from '../../internal/validation';
import type { ReplicaRegionProps, ReplicationMode } from '../props';

/**
 * Every region's provider must be configured for that region, and no provider may serve two
 * regions: Terraform puts a resource wherever its provider points, so a wrong provider would
 * build the region's table (and writer) in another region, and a shared one would build two
 * regions' tables in one. A provider's region is checked only when its configuration names it
 * literally; one without a region or with a token for it (a variable, a module's caller) can only
 * be checked for being shared. Regions without a provider get one created for them, which is right.
 */
export function checkRegionProviders(
  v: PropsValidator,
  scope: IConstruct,
  regions: readonly ReplicaRegionProps[],
  mode: ReplicationMode,
): void {
  const where = (i: number) => (i === 0 ? 'home' : `replicas[${i - 1}]`);
  const users = new Map<TerraformProvider, { at: string; region: string }>();
  const built = mode === 'global-table' ? 'its stream grants and alarms' : 'its table and writer';
  regions.forEach((r, i) => {
    // A given table without a provider of its own is on the stack's default provider.
    const prop = r.provider ? `${where(i)}.provider` : `${where(i)}.table`;
    const provider = r.provider ?? (r.table ? effectiveProvider(scope, r.table.provider) : undefined);
    if (!provider) return;
    const configured = literalProviderRegion(provider);
    if (configured !== undefined && configured !== r.region)
      v.fail(
        prop,
        describeProvider(provider),
        `${r.provider ? 'a provider' : 'a table on a provider'} configured for ${r.region}, the region it stands for`,
        `that provider is configured for ${configured}: ${built} would be created in ${configured}, not ${r.region}`,
      );
    const first = users.get(provider);
    if (first && first.region !== r.region)
      v.fail(
        prop,
        describeProvider(provider),
        `${r.provider ? 'a provider' : 'a table on a provider'} used for ${r.region} only`,
        `${first.at} uses that provider for ${first.region} already; one provider reaches one region, ` +
          `so ${r.region} would be built in the same region as ${first.region}`,
      );
    else if (!first) users.set(provider, { at: where(i), region: r.region });
  });
}
