import type { Construct } from 'constructs';
import { AlarmTopic } from '../alarm-topic';
import { physicalName } from '../internal/naming';
import type { ReplicaRegion } from './replica-region';

/**
 * Where a region's alarms notify: the ARNs given for that region (`alarms.actionArns`), else one
 * encrypted topic per region created on first use (an alarm can only notify a topic of its own
 * region).
 */
export class RegionAlarmActions {
  private readonly topics = new Map<string, string[]>();

  constructor(
    private readonly scope: Construct,
    private readonly given: Record<string, string[]>,
    private readonly regions: ReplicaRegion[],
    private readonly tags?: Record<string, string>,
  ) {}

  for(region: string): string[] {
    if (this.given[region]) return this.given[region];
    let arns = this.topics.get(region);
    if (!arns) {
      const topic = new AlarmTopic(this.scope, `AlarmTopic-${region}`, {
        topicName: physicalName(this.scope, 240, `-${region}-alarms`),
        tags: this.tags,
        provider: this.regions.find((r) => r.region === region)!.provider,
      });
      arns = [topic.topicArn];
      this.topics.set(region, arns);
    }
    return arns;
  }
}
