import type { MetricId } from '../props/alarm-settings';

/**
 * CloudWatch dashboard bodies as plain objects. Key order is fixed by construction, so
 * `JSON.stringify` of a body is deterministic; token strings inside (function names, alarm ARNs,
 * the region) are resolved by cdktf into Terraform references inside the JSON string.
 */

/** One line of a metric graph. */
export interface MetricLine extends MetricId {
  /** Statistic of this line: Sum, Maximum, Average, p50, p99, ... */
  readonly stat: string;
  readonly label?: string;
  /** Axis of this line; `right` for a second unit on the same graph. @default left */
  readonly yAxis?: 'left' | 'right';
}

/** One graph of the dashboard. */
export interface MetricWidgetSpec {
  readonly title: string;
  readonly lines: MetricLine[];
  /** A horizontal line at an alarm threshold. */
  readonly threshold?: { readonly label: string; readonly value: number };
  /** Region of the metrics when it differs from the dashboard's (a replica region, say). */
  readonly region?: string;
  /** Seconds per datapoint. @default 60 */
  readonly period?: number;
}

export interface DashboardSpec {
  /** Region the metric widgets read by default. */
  readonly region: string;
  /** Alarms shown in a status row on top; omitted when empty. */
  readonly alarmArns: string[];
  readonly alarmsTitle: string;
  readonly widgets: MetricWidgetSpec[];
}

/** The dashboard grid is 24 units wide; three graphs per row. */
const GRID = { width: 24, graphWidth: 8, graphHeight: 6, alarmsHeight: 3 };

/** CloudWatch shows at most 100 alarms in one alarm status widget: more go into further rows. */
const ALARMS_PER_WIDGET = 100;

/** `[namespace, metric, dim1, value1, ..., {stat, label}]`, the form CloudWatch dashboards use. */
export function metricArray(line: MetricLine): unknown[] {
  const dims = Object.entries(line.dimensions).flat();
  return [
    line.namespace,
    line.metricName,
    ...dims,
    { stat: line.stat, ...(line.label ? { label: line.label } : {}), ...(line.yAxis ? { yAxis: line.yAxis } : {}) },
  ];
}

export function metricWidget(spec: MetricWidgetSpec, defaultRegion: string, x: number, y: number): object {
  return {
    type: 'metric',
    x,
    y,
    width: GRID.graphWidth,
    height: GRID.graphHeight,
    properties: {
      title: spec.title,
      view: 'timeSeries',
      stacked: false,
      region: spec.region ?? defaultRegion,
      period: spec.period ?? 60,
      metrics: spec.lines.map(metricArray),
      ...(spec.threshold ? { annotations: { horizontal: [{ label: spec.threshold.label, value: spec.threshold.value }] } } : {}),
    },
  };
}

/** The whole body: alarm status row, then the graphs left to right, top to bottom. */
export function dashboardBody(spec: DashboardSpec): { widgets: object[] } {
  const widgets: object[] = [];
  let top = 0;
  for (let i = 0; i < spec.alarmArns.length; i += ALARMS_PER_WIDGET) {
    const part = i / ALARMS_PER_WIDGET;
    widgets.push({
      type: 'alarm',
      x: 0,
      y: top,
      width: GRID.width,
      height: GRID.alarmsHeight,
      properties: {
        title: part === 0 ? spec.alarmsTitle : `${spec.alarmsTitle} (${part + 1})`,
        alarms: spec.alarmArns.slice(i, i + ALARMS_PER_WIDGET),
      },
    });
    top += GRID.alarmsHeight;
  }
  const perRow = GRID.width / GRID.graphWidth;
  spec.widgets.forEach((w, i) => {
    const x = (i % perRow) * GRID.graphWidth;
    const y = top + Math.floor(i / perRow) * GRID.graphHeight;
    widgets.push(metricWidget(w, spec.region, x, y));
  });
  return { widgets };
}
