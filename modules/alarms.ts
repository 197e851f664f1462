import { Lazy, TerraformProvider, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { AlarmSubscribers, AlarmTopic, validateSubscribers } from './alarm-topic';
import type { FailureDestinationKind } from './failure-destination';
import { dashboardBody, MetricWidgetSpec } from './internal/dashboard';
import { LIMITS } from './internal/limits';
import { metricAlarm, resolveAlarmSettings, validateActions, validateAlarmSettings } from './internal/metric-alarm';
import { PIPELINE_ALARMS, pipelineAlarmPlan } from './internal/pipeline-alarm-catalog';
import { checkProviderRegion, effectiveProvider, literalProviderRegion } from './internal/provider-region';
import { PropsValidator } from './internal/validation';
import type { AlarmSettings, MetricId, PipelineAlarmKey } from './props/alarm-settings';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/** The failure destination as the alarms need it; a `FailureDestination` fits as it is. */
export interface FailureDestinationRef {
  /** Which service receives the failed batches. */
  readonly kind: FailureDestinationKind;
  /** Queue name, for kind `sqs`. */
  readonly queueName?: string;
  /** Topic name, for kind `sns`. */
  readonly topicName?: string;
}

/** The Kinesis stream a pipeline reads, as its alarms need it. */
export interface KinesisAlarmSource {
  /** Name of the stream (StreamName dimension). */
  readonly streamName: string;
  /** Name of the enhanced fan-out consumer the mapping reads through (ConsumerName dimension). @default none: a polling reader */
  readonly fanOutConsumerName?: string;
}

/** Overrides for one alarm; a field left out keeps that alarm's default (see `PipelineAlarmsProps.alarms`). */
export interface AlarmOverride extends AlarmSettings {
  /** false removes the alarm (and its line in the alarm status row). @default true (see each alarm) */
  readonly enabled?: boolean;
}

/** Props of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  /** Name of the consumer function (its metrics' FunctionName dimension). */
  readonly functionName: string;
  /** Alias the mapping invokes; metrics then use Resource=`<function>:<alias>` too. @default none: the function as a whole */
  readonly aliasName?: string;
  /** The mapping's on-failure destination, for the queue depth or failed notifications alarm. @default none */
  readonly failureDestination?: FailureDestinationRef;
  /**
   * UUID of the consumer's event source mapping (`mapping.uuid`), when it publishes EventCount
   * metrics (`eventCountMetrics`): adds alarms on DroppedEventCount, FailedInvokeEventCount and
   * OnFailureDestinationDeliveredEventCount and their graphs.
   * @default none: no mapping-metric alarms
   */
  readonly eventSourceMappingUuid?: string;
  /**
   * The Kinesis stream the consumer reads: adds alarms on WriteProvisionedThroughputExceeded and,
   * for a polling reader, GetRecords.IteratorAgeMilliseconds and ReadProvisionedThroughputExceeded,
   * or, for a fan-out consumer, SubscribeToShardEvent.MillisBehindLatest; with their graphs.
   * @default none (a DynamoDB stream source)
   */
  readonly kinesis?: KinesisAlarmSource;
  /**
   * Name of the table whose changes the consumer reads: adds the liveness alarms, which fire when
   * the table is written but nothing arrives downstream (metric math over the table's
   * SuccessfulRequestLatency SampleCount of PutItem, UpdateItem, DeleteItem, BatchWriteItem and
   * TransactWriteItems): consumerStalled (the mapping's PolledEventCount with
   * `eventSourceMappingUuid`, else the function's Invocations, stays at zero) and, with `kinesis`,
   * kinesisDestinationStalled (the stream's IncomingRecords stays at zero). A disabled or stalled
   * mapping publishes no metrics, so no other alarm sees it.
   * @default none: no liveness alarms
   */
  readonly sourceTableName?: string;
  /**
   * Start of every alarm name (`<prefix>-iterator-age`, ...): 1..200 characters, no control characters.
   * @default the function name, plus `-<alias>` with an alias
   */
  readonly alarmNamePrefix?: string;
  /**
   * Per-alarm overrides. Defaults: iteratorAge Maximum > 60000 ms, 3 of 3 one-minute periods;
   * errors, throttles and destinationDeliveryFailures Sum > 0 in one minute; with an SQS
   * destination, failureQueueArrivals Sum NumberOfMessagesSent > 0 in one minute (every new
   * failure notifies) and failureQueueAge Maximum ApproximateAgeOfOldestMessage > 3600 s (missing
   * data keeps the state); failedNotifications (SNS destination) Sum NumberOfNotificationsFailed > 0.
   * With `sourceTableName`: consumerStalled and (with `kinesis`) kinesisDestinationStalled, stalled
   * in 2 of 3 five-minute periods (their statistic cannot be set). With `eventSourceMappingUuid`:
   * droppedEvents, failedInvokeEvents and onFailureDelivered, Sum > 0 in one minute. With
   * `kinesis`: kinesisWriteThrottles and (polling) kinesisReadThrottles Sum > 0, kinesisIteratorAge
   * Maximum > 60000 ms 3 of 3 minutes, or (fan-out) fanOutLag Maximum > 60000 ms 3 of 3 minutes.
   * Missing data counts as not breaching unless said otherwise (docs/alarms.md gives each alarm's
   * reason). The destination alarms exist only with a matching `failureDestination`.
   */
  readonly alarms?: Partial<Record<PipelineAlarmKey, AlarmOverride>>;
  /**
   * ARNs notified when an alarm fires (and when it clears, see `notifyOk`): at most 5.
   * An empty list makes alarms without actions (dashboard only).
   * @default one encrypted SNS topic created here
   */
  readonly actionArns?: string[];
  /**
   * Who the created alarm topic notifies: e-mail addresses and HTTPS endpoints, each subscribed to
   * the topic (the owner confirms the subscription). Only without `actionArns`: to page through a
   * topic the team already has, give its ARN in `actionArns` instead.
   * @default none: the topic notifies nobody until something subscribes
   */
  readonly notify?: AlarmSubscribers;
  /** Name of the created alarm topic (1..256 of [0-9A-Za-z_-]); only without `actionArns`. @default `<prefix>-alarms` */
  readonly alarmTopicName?: string;
  /**
   * Customer-managed key for the created alarm topic; its key policy must let
   * cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*. Only without `actionArns`.
   * @default a new KMS key with that policy (alias/aws/sns cannot work: CloudWatch may not use it)
   */
  readonly alarmTopicKmsKeyArn?: string;
  /** Also notify the actions when an alarm returns to OK. @default true */
  readonly notifyOk?: boolean;
  /** Create the dashboard. @default true */
  readonly dashboard?: boolean;
  /** Dashboard name, 1..255 characters of [0-9A-Za-z_-]. @default `<prefix>-pipeline` with other characters replaced by `-` */
  readonly dashboardName?: string;
  /**
   * Region the dashboard graphs read, e.g. `eu-west-1`.
   * @default the provider's region: the literal of its configuration, else an aws_region data source (read locally)
   */
  readonly region?: string;
  /** Tags for the alarms, the topic and its key. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region) of the alarms, topic and dashboard. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** An alarm added after construction, on any metric (replication lag per region, handler metrics). */
export interface ExtraAlarmProps extends AlarmOverride, MetricId {
  /** Appended to the alarm name prefix: `<prefix>-<nameSuffix>`. */
  readonly nameSuffix: string;
  /** Title of its dashboard graph. */
  readonly title: string;
  /** What the alarm means and what to check first; 0..1024 characters (CloudWatch limit). */
  readonly description: string;
  /** Region of the metric for the dashboard graph. @default the dashboard's region */
  readonly region?: string;
  /** Provider of the alarm when the metric lives in another region. @default this construct's provider */
  readonly provider?: TerraformProvider;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class lists the control characters a name must not contain.
const PREFIX = /^[^\x00-\x1f\x7f]{1,200}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const NAME_SUFFIX = /^[^\x00-\x1f\x7f]{1,50}$/;

/**
 * Alarms and a dashboard for one stream pipeline (one consumer function and its failure
 * destination). `addAlarm` adds alarms on other metrics later, with the same actions and graphs.
 */
export class PipelineAlarms extends Construct {
  /** The alarms by key (`iteratorAge`, ..., and the keys given to `addAlarm`). */
  readonly alarms: Record<string, CloudwatchMetricAlarm> = {};
  /** Where alarm and OK notifications go. */
  readonly actionArns: string[];
  /** The alarm topic created here, when no `actionArns` were given. */
  readonly alarmTopic?: AlarmTopic;
  /** The pipeline dashboard, unless `dashboard` is false. */
  readonly dashboard?: CloudwatchDashboard;
  /** Start of every alarm name. */
  readonly alarmNamePrefix: string;
  private readonly okActions: string[];
  private readonly widgets: MetricWidgetSpec[] = [];
  private readonly alarmArns: string[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PipelineAlarmsProps,
  ) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.PipelineAlarmsProps, props);
    const v = new PropsValidator(this);
    validateProps(v, props);
    checkProviderRegion(v, this, 'region', props.region, props.provider, 'its graphs would read a region where these alarms are not');
    const plan = pipelineAlarmPlan(props, v);
    v.throwIfInvalid();
    this.alarmNamePrefix = plan.prefix;

    if (props.actionArns) {
      this.actionArns = props.actionArns;
    } else {
      this.alarmTopic = new AlarmTopic(this, 'Topic', {
        topicName: props.alarmTopicName ?? safeName(`${plan.prefix}-alarms`),
        kmsKeyArn: props.alarmTopicKmsKeyArn,
        subscribers: props.notify,
        tags: props.tags,
        provider: props.provider,
      });
      this.actionArns = [this.alarmTopic.topicArn];
    }
    this.okActions = props.notifyOk === false ? [] : this.actionArns;

    for (const a of plan.alarms) {
      const alarm = metricAlarm(this, PIPELINE_ALARMS[a.key].id, {
        ...a.metric,
        math: a.math,
        ...a.settings,
        alarmName: `${plan.prefix}-${PIPELINE_ALARMS[a.key].suffix}`,
        description: a.description,
        alarmActions: this.actionArns,
        okActions: this.okActions,
        tags: props.tags,
        provider: props.provider,
      });
      this.alarms[a.key] = alarm;
      this.alarmArns.push(alarm.arn);
    }
    this.widgets.push(...plan.widgets);

    if (props.dashboard !== false) {
      const region =
        props.region ?? literalRegion(this, props.provider) ?? new DataAwsRegion(this, 'Region', { provider: props.provider }).name;
      this.dashboard = new CloudwatchDashboard(this, 'Dashboard', {
        dashboardName: props.dashboardName ?? safeName(`${plan.prefix}-pipeline`),
        // Lazy: alarms added later with addAlarm still get their graph.
        dashboardBody: Lazy.stringValue({
          produce: () =>
            JSON.stringify(
              dashboardBody({ region, alarmArns: this.alarmArns, alarmsTitle: `${plan.prefix} alarms`, widgets: this.widgets }),
            ),
        }),
        provider: props.provider,
      });
    }
  }

  /**
   * Adds an alarm on any metric, with this pipeline's name prefix and actions, and its graph to the
   * dashboard. Defaults: Maximum > threshold (0), one 60-second period, missing data not breaching.
   */
  addAlarm(key: string, props: ExtraAlarmProps): CloudwatchMetricAlarm | undefined {
    checkKnownProps(this, PROP_SHAPES.ExtraAlarmProps, props);
    const v = new PropsValidator(this);
    const settings = resolveAlarmSettings(
      {
        threshold: 0,
        period: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: 'notBreaching',
        statistic: 'Maximum',
        comparisonOperator: 'GreaterThanThreshold',
      },
      props,
    );
    const prop = `addAlarm(${key})`;
    v.require(
      !(key in this.alarms) && !(key in PIPELINE_ALARMS),
      `${prop}: key must be unique among this pipeline's alarms (got "${key}")`,
    );
    v.matches(`${prop}.key`, key, /^[A-Za-z][A-Za-z0-9]*$/, 'letters and digits starting with a letter');
    v.matches(`${prop}.nameSuffix`, props.nameSuffix, NAME_SUFFIX, '1..50 characters without control characters');
    v.matches(`${prop}.region`, props.region, REGION, 'an AWS region name such as eu-west-1');
    checkProviderRegion(
      v,
      this,
      `${prop}.region`,
      props.region,
      props.provider ?? this.props.provider,
      'an alarm watches metrics of its own region only; its graph would show another',
    );
    v.matches(`${prop}.description`, props.description, /^[\s\S]{0,1024}$/, 'at most 1024 characters (CloudWatch limit)');
    validateAlarmSettings(v, prop, settings, isUserMetric(props));
    v.throwIfInvalid();
    if (props.enabled === false) return undefined;
    const alarm = metricAlarm(this, `Extra-${key}`, {
      namespace: props.namespace,
      metricName: props.metricName,
      dimensions: props.dimensions,
      ...settings,
      alarmName: `${this.alarmNamePrefix}-${props.nameSuffix}`,
      description: props.description,
      alarmActions: this.actionArns,
      okActions: this.okActions,
      tags: this.props.tags,
      provider: props.provider ?? this.props.provider,
    });
    this.alarms[key] = alarm;
    this.alarmArns.push(alarm.arn);
    this.widgets.push({
      title: props.title,
      region: props.region,
      period: settings.period,
      lines: [{ namespace: props.namespace, metricName: props.metricName, dimensions: props.dimensions, stat: settings.statistic }],
      threshold: { label: 'alarm', value: settings.threshold },
    });
    return alarm;
  }
}

function validateProps(v: PropsValidator, props: PipelineAlarmsProps): void {
  v.matches('functionName', props.functionName, LIMITS.functionName.pattern, LIMITS.functionName.described);
  v.matches('aliasName', props.aliasName, /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/, '1..128 characters of [a-zA-Z0-9_-], not only digits');
  v.matches(
    'alarmNamePrefix',
    props.alarmNamePrefix,
    PREFIX,
    '1..200 characters without control characters',
    'alarm names are at most 255 characters with their suffix',
  );
  v.matches('dashboardName', props.dashboardName, LIMITS.dashboardName.pattern, LIMITS.dashboardName.described);
  v.matches('region', props.region, REGION, 'an AWS region name such as eu-west-1');
  v.matches('alarmTopicName', props.alarmTopicName, LIMITS.snsName.pattern, LIMITS.snsName.described);
  validateActions(v, 'actionArns', props.actionArns);
  validateSubscribers(v, 'notify', props.notify);
  if (props.actionArns) {
    for (const p of ['alarmTopicName', 'alarmTopicKmsKeyArn', 'notify'] as const) {
      if (props[p] !== undefined) v.fail(p, props[p], 'unset', 'no topic is created when actionArns are given');
    }
  }
  if (props.dashboard === false && props.dashboardName !== undefined)
    v.fail('dashboardName', props.dashboardName, 'unset', 'dashboard is false');
  const d = props.failureDestination;
  if (d && d.kind === 'sqs')
    v.require(d.queueName !== undefined, 'failureDestination.queueName must be set for an SQS destination (got undefined)');
  if (d && d.kind === 'sns')
    v.require(d.topicName !== undefined, 'failureDestination.topicName must be set for an SNS destination (got undefined)');
}

/**
 * The region of `provider`, or of the stack's default aws provider, when its configuration names
 * one literally. Then the dashboard needs no aws_region data source, whose `name` attribute
 * hashicorp/aws 6.0 deprecated (docs/aws-provider-6.md); a module's provider comes from its caller,
 * so there only Terraform knows the region.
 */
function literalRegion(scope: IConstruct, provider?: TerraformProvider): string | undefined {
  return literalProviderRegion(effectiveProvider(scope, provider));
}

/** Derived names keep to [0-9A-Za-z_-] (dashboards, topics); tokens are left to Terraform. */
function safeName(name: string): string {
  return Token.isUnresolved(name) ? name : name.replace(/[^0-9A-Za-z_-]+/g, '-').slice(0, 255);
}

/** An extra alarm on a metric outside the AWS/ namespaces may watch a value that goes below 0. */
function isUserMetric(props: ExtraAlarmProps): boolean {
  return !/^AWS\//.test(props.namespace);
}
