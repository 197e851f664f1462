import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { SqsQueueRedrivePolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-policy';
import { FailureDestination } from './failure-destination';
import { FAILURE_OBJECT_PREFIX } from './internal/failure-bucket';
import { FailureNotifications } from './internal/failure-notifications';
import { assumeRolePolicy, identityPolicyJson, kmsStatements } from './internal/iam';
import { bindCode } from './internal/lambda-code';
import { physicalName } from './internal/naming';
import { libraryHandlerCode } from './internal/library-handler';
import { REDRIVE_ENV, REDRIVE_METRICS_NAMESPACE } from '../handlers/contract';
import { lambdaMetric, redriveMetric, sqsMetric } from './internal/metrics';
import type { MetricId } from './props/alarm-settings';
import { REDRIVE_DEFAULTS, validateRedrive, validateRedriveFilters } from './internal/redrive-validation';
import { redriveTiming, TimingInputs, validateConcurrency, validateTiming } from './internal/redrive-timing';
import { PropsValidator } from './internal/validation';
import type { PolicyStatement } from './props/policy';
import type { FailureRedriveSettings, RedriveTiming } from './props/redrive-settings';
import { isKinesisSource, StreamConsumer } from './stream-consumer';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/** Props of a {@link FailureRedrive}. */
export interface FailureRedriveProps extends FailureRedriveSettings {
  /**
   * The consumer's on-failure destination: an SQS queue (kind 'sqs'), which the redrive consumes,
   * or an S3 bucket (kind 's3'), whose new failure records reach the redrive through S3 event
   * notifications into a queue created here.
   */
  readonly failureDestination: FailureDestination;
  /** The consumer whose failed batches are redriven: the redrive reads its source and invokes its function (or alias) again. */
  readonly consumer: StreamConsumer;
  /**
   * ARN of the customer-managed KMS key of the consumer's source (a table's stream, or a Kinesis
   * stream), when it has one: the redrive role gets kms:Decrypt on it to read failed ranges.
   * @default the source's `encryptionKeyArn` (StreamTable, TableKinesisStream), else none
   */
  readonly streamEncryptionKeyArn?: string;
}

export { REDRIVE_METRICS_NAMESPACE } from '../handlers/contract';

/**
 * The automated redrive of a stream consumer's failures. With an SQS destination, a function fed
 * by the failure queue reads each failed range back from the source by sequence number (the
 * DynamoDB stream, 24 h; or the Kinesis stream, its retention) and invokes the consumer again
 * with those records (the consumer's filter criteria applied again). With an S3 destination the
 * records come from the failure object itself, announced by S3 event notifications: nothing
 * depends on the source's retention. What still fails after `maxAttempts`, and ranges the source
 * can no longer serve, are parked in an encrypted queue; a message that cannot be handled goes
 * there as it is after `maxReceiveCount` deliveries, so nothing is dropped.
 *
 * Timing is derived from the worst case (see {@link RedriveTiming}): the function timeout covers
 * every re-invocation of the consumer, the consumed queue hides a message for 6 times that, and
 * the SQS mapping runs at most `maximumConcurrency` redrives at once.
 *
 * Delivery is at least once, as with the mapping itself: consumers must be idempotent. The
 * redrive's reads are occasional GetRecords calls, not a mapping, so they are not one of the
 * source's readers; throttled reads are retried by SQS redelivery.
 *
 * @example
 * const failures = new FailureDestination(stack, 'Failures');
 * const consumer = new StreamConsumer(stack, 'Consumer', { source: orders, code: { entry: 'src/handler.ts' }, onFailure: failures });
 * const redrive = new FailureRedrive(stack, 'Redrive', { failureDestination: failures, consumer });
 * alarms.addAlarm('parked', { ...redrive.metricParked(), nameSuffix: 'parked', title: 'Parked records', description: 'Inspect the parked queue.' });
 */
export class FailureRedrive extends Construct {
  /** The redrive function (the library's bundled handler). */
  readonly function: LambdaFunction;
  /** The function's role: exactly the calls the redrive makes. */
  readonly role: IamRole;
  /** The role's inline policy. */
  readonly rolePolicy: IamRolePolicy;
  /** The function's log group, with retention. */
  readonly logGroup: CloudwatchLogGroup;
  /** The SQS event source mapping from the consumed queue to the redrive function. */
  readonly mapping: LambdaEventSourceMapping;
  /** Where records that fail again and unreadable ranges are kept. */
  readonly parked: FailureDestination;
  /** SQS destination: moves failure-queue messages that keep failing to the parked queue. */
  readonly failureQueueRedrivePolicy?: SqsQueueRedrivePolicy;
  /** Only the consumed queue may move messages into the parked queue (its redrive allow policy). */
  readonly parkedRedriveAllowPolicy: SqsQueueRedriveAllowPolicy;
  /** S3 destination: the queue of S3 notifications about new failure objects (the redrive consumes it). */
  readonly notificationQueue?: SqsQueue;
  /** ARN of the queue the redrive consumes (the failure queue, or the notification queue). */
  readonly consumedQueueArn: string;
  /** The derived timing; undefined when an input is a Terraform reference. */
  readonly timing?: RedriveTiming;
  /** Name of the redrive function (also the `service` dimension of its own metrics). */
  readonly functionName: string;
  /** ARN of the redrive function. */
  readonly functionArn: string;
  /** Name of the log group (`/aws/lambda/<function>`). */
  readonly logGroupName: string;
  /** The exact statements of the role policy. */
  readonly policyStatements: PolicyStatement[];

  /** Creates the function, its role, log group, queue mapping and parked queue; throws a ValidationError naming this construct for bad props. */
  constructor(scope: Construct, id: string, props: FailureRedriveProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.FailureRedriveProps, props);
    const functionName = props.functionName ?? physicalName(this, 64);
    const roleName = props.roleName ?? physicalName(this, 64, '-role');
    const failure = props.failureDestination;
    const consumer = props.consumer;
    const source = consumer.source;
    const kinesis = isKinesisSource(source) ? source : undefined;
    const fromS3 = failure.kind === 's3';
    const v = new PropsValidator(this);
    validateRedrive(v, props, { functionName, roleName }, { kind: failure.kind });
    const inputs: TimingInputs = {
      batchSize: props.batchSize ?? REDRIVE_DEFAULTS.batchSize,
      maxAttempts: props.maxAttempts ?? REDRIVE_DEFAULTS.maxAttempts,
      invokeBatchSize: props.invokeBatchSize ?? REDRIVE_DEFAULTS.invokeBatchSize,
      consumerTimeoutSeconds: consumer.function.timeoutInput ?? 3,
      consumerBatchSize: consumer.mapping.batchSizeInput ?? 100,
      timeoutSeconds: props.timeoutSeconds,
    };
    this.timing = v.hasProblems ? undefined : redriveTiming(inputs);
    validateTiming(v, inputs, this.timing, failure.kind === 'sqs' ? failure.requestedVisibilityTimeoutSeconds : undefined);
    const maximumConcurrency = props.maximumConcurrency ?? REDRIVE_DEFAULTS.maximumConcurrency;
    validateConcurrency(v, maximumConcurrency, consumer.function.reservedConcurrentExecutionsInput);
    validateNoWindow(v, consumer.mapping.tumblingWindowInSecondsInput);
    const filter = consumer.mapping.filterCriteriaInput?.filter;
    // Records in an S3 failure object are the batch the function was given: already filtered.
    const patterns = !fromS3 && Array.isArray(filter) ? filter.map((f) => f.pattern).filter((p): p is string => typeof p === 'string') : [];
    const environment: Record<string, string> = {
      [REDRIVE_ENV.parkedQueueUrl]: 'x'.repeat(200), // placeholder of a queue URL's size, for the size check
      [REDRIVE_ENV.maxAttempts]: String(inputs.maxAttempts),
      [REDRIVE_ENV.invokeBatchSize]: String(inputs.invokeBatchSize),
      ...(patterns.length ? { [REDRIVE_ENV.filterPatterns]: JSON.stringify(patterns) } : {}),
      ...(kinesis && !fromS3 ? { [REDRIVE_ENV.invokeIdentityArn]: consumer.roleArn } : {}),
      POWERTOOLS_SERVICE_NAME: functionName,
      POWERTOOLS_METRICS_NAMESPACE: REDRIVE_METRICS_NAMESPACE,
    };
    validateRedriveFilters(v, patterns, environment);
    v.throwIfInvalid();

    const provider = props.provider;
    const tags = props.tags;
    const timeout = this.timing?.timeoutSeconds ?? props.timeoutSeconds ?? REDRIVE_DEFAULTS.timeoutSeconds;
    const visibility = this.timing?.visibilityTimeoutSeconds;
    const maxReceiveCount = props.maxReceiveCount ?? REDRIVE_DEFAULTS.maxReceiveCount;
    const code = bindCode(this, 'Code', props.code ?? libraryHandlerCode('redrive'), 'node22');
    this.parked = new FailureDestination(this, 'Parked', {
      kind: 'sqs',
      ...props.parkedQueue,
      tags: props.parkedQueue?.tags ?? tags,
      provider,
    });
    if (fromS3) {
      const notifications = new FailureNotifications(this, 'Notifications', {
        bucketArn: failure.bucketArn!,
        bucketName: failure.bucketName!,
        queueName: physicalName(this, 80, '-Notifications'),
        visibilityTimeoutSeconds: visibility ?? timeout * 6,
        deadLetterArn: this.parked.queueArn!,
        maxReceiveCount,
        tags,
        provider,
      });
      this.notificationQueue = notifications.queue;
      this.consumedQueueArn = notifications.queueArn;
    } else {
      // The default visibility timeout of the failure queue gives way to the derived one.
      if (failure.requestedVisibilityTimeoutSeconds === undefined && visibility !== undefined)
        failure.queue!.visibilityTimeoutSeconds = visibility;
      this.failureQueueRedrivePolicy = new SqsQueueRedrivePolicy(this, 'FailureQueueRedrive', {
        provider,
        queueUrl: failure.queueUrl!,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.parked.queueArn, maxReceiveCount }),
      });
      this.consumedQueueArn = failure.queueArn!;
    }

    this.logGroupName = `/aws/lambda/${functionName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      provider,
      name: this.logGroupName,
      retentionInDays: props.logRetentionDays ?? REDRIVE_DEFAULTS.logRetentionDays,
      tags,
    });
    this.role = new IamRole(this, 'Role', { provider, name: roleName, assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'), tags });
    // The failure queue or bucket then denies reads to every other principal.
    failure.addReader(this.role.arn);
    // Only this role parks records by SendMessage; SQS moves the rest in as the consumed queue's
    // dead-letter queue, which the redrive allow policy limits to that queue (failure-access.ts
    // says why the deny cannot block that move).
    this.parked.addSender(this.role.arn);
    this.parkedRedriveAllowPolicy = new SqsQueueRedriveAllowPolicy(this, 'ParkedRedriveAllow', {
      provider,
      queueUrl: this.parked.queueUrl!,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.consumedQueueArn] }),
    });
    const consumerArns = [consumer.functionArn, ...(consumer.alias ? [consumer.alias.arn] : [])];
    const sourceKey = props.streamEncryptionKeyArn ?? (source as { encryptionKeyArn?: string }).encryptionKeyArn;
    this.policyStatements = [
      // What Lambda's SQS poller calls with this role (the handler itself never calls SQS here).
      {
        sid: 'ConsumeFailureRecords',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        resources: [this.consumedQueueArn],
      },
      ...(fromS3 ? [] : kmsStatements('DecryptFailureRecords', failure.kmsKeyArn, ['kms:Decrypt'])),
      // The handler's own calls (test/handlers/grants-redrive-orders.test.ts records them).
      ...readStatements(failure, source.streamArn, kinesis !== undefined, sourceKey),
      { sid: 'InvokeConsumer', actions: ['lambda:InvokeFunction'], resources: consumerArns },
      { sid: 'ParkRecords', actions: ['sqs:SendMessage'], resources: [this.parked.queueArn!] },
      ...kmsStatements('EncryptParkedRecords', this.parked.kmsKeyArn, ['kms:Decrypt', 'kms:GenerateDataKey']),
      { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
    ];
    this.rolePolicy = new IamRolePolicy(this, 'Policy', {
      provider,
      name: 'failure-redrive',
      role: this.role.name,
      policy: identityPolicyJson(this.policyStatements),
    });

    this.function = new LambdaFunction(this, 'Function', {
      provider,
      functionName,
      description: 'Redrives the failed batches of a stream consumer and parks what still fails',
      role: this.role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: props.memorySize ?? REDRIVE_DEFAULTS.memorySize,
      timeout,
      filename: code.filename,
      sourceCodeHash: code.hash,
      environment: { variables: { ...environment, [REDRIVE_ENV.parkedQueueUrl]: this.parked.queueUrl! } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      tags,
      dependsOn: [this.logGroup],
    });
    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;

    this.mapping = new LambdaEventSourceMapping(this, 'Mapping', {
      provider,
      eventSourceArn: this.consumedQueueArn,
      functionName: this.function.arn,
      batchSize: inputs.batchSize,
      functionResponseTypes: ['ReportBatchItemFailures'],
      scalingConfig: { maximumConcurrency },
      // AWS checks the role's queue permissions when the mapping is created.
      dependsOn: [this.rolePolicy],
    });
  }

  /** Records the redrive parked (NumberOfMessagesSent to the parked queue; alarm on Sum > 0: each needs a person). */
  metricParked(): MetricId {
    return sqsMetric('NumberOfMessagesSent', this.parked.queueName!);
  }

  /** Age in seconds of the oldest parked record (ApproximateAgeOfOldestMessage of the parked queue; alarm on Maximum). */
  metricParkedAge(): MetricId {
    return sqsMetric('ApproximateAgeOfOldestMessage', this.parked.queueName!);
  }

  /** The redrive function's Errors: crashes and timeouts (it catches and reports everything else per message). */
  metricErrors(): MetricId {
    return lambdaMetric('Errors', this.functionName);
  }

  /** Failure-queue messages the redrive could not handle (its own MessagesFailed; SQS hands them back). */
  metricMessagesFailed(): MetricId {
    return redriveMetric('messagesFailed', this.functionName);
  }

  /** Records the consumer took when re-invoked by the redrive (its own RecordsSucceeded). */
  metricRecordsSucceeded(): MetricId {
    return redriveMetric('recordsSucceeded', this.functionName);
  }
}

/**
 * A consumer with a tumbling window answers with its running state and does not report failed
 * records the usual way; the redrive would re-invoke it without the window fields and count every
 * record as applied. Refused rather than acknowledged silently.
 */
function validateNoWindow(v: PropsValidator, windowSeconds: number | undefined): void {
  if (windowSeconds === undefined || Token.isUnresolved(windowSeconds) || windowSeconds === 0) return;
  v.fail(
    'consumer',
    `a consumer with tumblingWindowSeconds ${windowSeconds}`,
    'a consumer without a tumbling window (tumblingWindowSeconds unset or 0)',
    'the redrive re-invokes the consumer without the window state and fields, so the consumer would return its state and every redriven record would count as applied without being aggregated',
  );
}

/** How the redrive gets the failed records: from the S3 failure object, or read back from the source by sequence number. */
function readStatements(
  failure: FailureDestination,
  streamArn: string,
  kinesis: boolean,
  sourceKey: string | undefined,
): PolicyStatement[] {
  if (failure.kind === 's3') {
    return [
      { sid: 'ReadFailureObjects', actions: ['s3:GetObject'], resources: [`${failure.bucketArn}/${FAILURE_OBJECT_PREFIX}*`] },
      // Without it S3 answers GetObject of a missing (expired) object with 403, not NoSuchKey, and
      // the redrive lists the key to tell an expired object from a real denial.
      { sid: 'ListFailureBucket', actions: ['s3:ListBucket'], resources: [failure.bucketArn!] },
      ...kmsStatements('DecryptFailureObjects', failure.kmsKeyArn, ['kms:Decrypt']),
    ];
  }
  const read: PolicyStatement = kinesis
    ? { sid: 'ReadFailedRanges', actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator'], resources: [streamArn] }
    : { sid: 'ReadFailedRanges', actions: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] };
  return [read, ...kmsStatements('DecryptStream', sourceKey, ['kms:Decrypt'])];
}
