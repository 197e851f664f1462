import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AlarmOverride } from '../../alarms';
import { metricAlarm, resolveAlarmSettings, validateAlarmSettings } from '../../internal/metric-alarm';
import { PropsValidator } from '../../internal/validation';

export interface GlobalTableAlarmsProps {
  readonly tableName: string;
  /** Every region of the global table, with its provider and alarm actions. */
  readonly regions: { readonly region: string; readonly provider: TerraformProvider; readonly actionArns: string[] }[];
  readonly override?: AlarmOverride;
  readonly tags?: Record<string, string>;
}

/**
 * Global-table mode's counterpart of the writers' lag alarms: DynamoDB's own ReplicationLatency
 * metric, published in the region a write was made in, per receiving region. Same default
 * threshold (60 s, 3 of 3 minutes), so switching modes keeps the same alarm per region pair.
 */
export class GlobalTableAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: GlobalTableAlarmsProps) {
    super(scope, id);
    const { enabled, ...override } = props.override ?? {};
    const settings = resolveAlarmSettings(
      {
        threshold: 60000,
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: 'notBreaching',
        statistic: 'Maximum',
        comparisonOperator: 'GreaterThanThreshold',
      },
      override,
    );
    const v = new PropsValidator(this);
    validateAlarmSettings(v, 'alarms.replicationLag', settings);
    v.throwIfInvalid();
    if (enabled === false) return;
    for (const source of props.regions) {
      for (const target of props.regions.filter((r) => r !== source)) {
        this.alarms.push(
          metricAlarm(this, `Lag-${source.region}-to-${target.region}`, {
            namespace: 'AWS/DynamoDB',
            metricName: 'ReplicationLatency',
            dimensions: { TableName: props.tableName, ReceivingRegion: target.region },
            ...settings,
            alarmName: `${props.tableName}-lag-${source.region}-to-${target.region}`,
            description:
              `Writes made in ${source.region} reach the ${target.region} replica of global table ${props.tableName} ` +
              'more than the threshold (ms) later.',
            alarmActions: source.actionArns,
            okActions: source.actionArns,
            tags: props.tags,
            provider: source.provider,
          }),
        );
      }
    }
  }
}
