import { Lazy } from 'cdktf';
import type { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { dashboardBody, MetricWidgetSpec } from '../../internal/dashboard';
import type { IReplicaWriter } from '../props';
import type { ReplicaRegion } from '../replica-region';

/**
 * The table's one dashboard, in the home region: every writer's graphs (or DynamoDB's own
 * ReplicationLatency in global-table mode) and the state of every alarm, read at synth so alarms
 * added after construction are on it.
 */
export function replicationDashboard(
  scope: Construct,
  a: {
    tableName: string;
    home: ReplicaRegion;
    widgets: MetricWidgetSpec[];
    writers: IReplicaWriter[];
    globalAlarms: CloudwatchMetricAlarm[];
  },
): CloudwatchDashboard {
  return new CloudwatchDashboard(scope, 'Dashboard', {
    provider: a.home.provider,
    dashboardName: `${a.tableName}-replication`.replace(/[^0-9A-Za-z_-]+/g, '-').slice(0, 255),
    dashboardBody: Lazy.stringValue({
      produce: () => {
        const alarmArns = [...a.writers.flatMap((w) => Object.values(w.alarms?.alarms ?? {})), ...a.globalAlarms].map((x) => x.arn);
        return JSON.stringify(
          dashboardBody({
            region: a.home.region,
            alarmArns,
            alarmsTitle: `${a.tableName} replication alarms`,
            widgets: a.widgets,
          }),
        );
      },
    }),
  });
}

/** DynamoDB's own lag metric of a global table, per receiving region, read in each source region. */
export function globalTableWidgets(tableName: string, regions: ReplicaRegion[], threshold = 60000): MetricWidgetSpec[] {
  return regions.map((source) => ({
    title: `Replication latency from ${source.region} (ms)`,
    region: source.region,
    threshold: { label: 'alarm', value: threshold },
    lines: regions
      .filter((r) => r !== source)
      .map((r) => ({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensions: { TableName: tableName, ReceivingRegion: r.region },
        stat: 'Maximum',
        label: r.region,
      })),
  }));
}
