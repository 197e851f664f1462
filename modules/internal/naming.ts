import { createHash } from 'crypto';
import { IConstruct } from 'constructs';

/**
 * A deterministic physical name for a resource whose name the user did not choose: the construct
 * path (stack included, so two stacks in one account and region do not collide) with every
 * character outside `[0-9A-Za-z_-]` turned into `-`. A path longer than `maxLength` is cut and
 * ends with 8 hex characters of its hash, so long paths stay unique.
 */
export function physicalName(scope: IConstruct, maxLength: number, suffix = ''): string {
  const path = scope.node.path || scope.node.id;
  const full = `${path}${suffix}`.replace(/[^0-9A-Za-z_-]+/g, '-');
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, maxLength - hash.length - 1)}-${hash}`;
}
