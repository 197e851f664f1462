import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { SqsQueueRedrivePolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-policy';
import { FailureDestination } from './failure-destination';
import { assumeRolePolicy, identityPolicyJson, kmsStatements, PolicyStatement } from './internal/iam';
import { bindCode } from './internal/lambda-code';
import { physicalName } from './internal/naming';
import { libraryHandlerCode } from './internal/library-handler';
import { FailureRedriveSettings, REDRIVE_DEFAULTS, validateRedrive, validateRedriveFilters } from './internal/redrive-props';
import { PropsValidator } from './internal/validation';
import { StreamConsumer } from './stream-consumer';

export type { FailureRedriveSettings, ParkedQueueProps } from './internal/redrive-props';

/** Props of a {@link FailureRedrive}. */
export interface FailureRedriveProps extends FailureRedriveSettings {
  /** The consumer's on-failure destination; must be an SQS queue (kind 'sqs'), which the redrive consumes. */
  readonly failureDestination: FailureDestination;
  /** The consumer whose failed batches are redriven: the redrive reads its mapping's stream and invokes its function (or alias) again. */
  readonly consumer: StreamConsumer;
  /**
   * ARN of the customer-managed KMS key of the consumer's table, when its stream is encrypted with
   * one: the redrive role gets kms:Decrypt on it to read the stream.
   * @default none (the table uses an AWS owned or AWS managed key)
   */
  readonly streamEncryptionKeyArn?: string;
}

/**
 * The automated redrive of a stream consumer's failures: a function fed by the SQS on-failure
 * queue (ReportBatchItemFailures) that reads each failed range back from the stream, invokes the
 * consumer again with those records, retries what fails, and parks in a separate encrypted queue
 * the records that still fail and the ranges the stream can no longer serve (24 h retention). A
 * failure-queue message that cannot be handled goes to the parked queue as it is after
 * `maxReceiveCount` deliveries, so nothing is dropped.
 *
 * The consumer's filter criteria are applied again to the re-read records (the mapping never gave
 * the function the records they drop). Delivery is at least once, as with the mapping itself: a
 * message handled again after a failure re-invokes the consumer with records that had succeeded.
 *
 * The redrive's stream reads are occasional GetRecords calls, not an event source mapping, so it
 * does not count as one of the stream's two readers; throttled reads are retried by SQS redelivery.
 */
export class FailureRedrive extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly rolePolicy: IamRolePolicy;
  readonly logGroup: CloudwatchLogGroup;
  /** The SQS event source mapping from the failure queue to the redrive function. */
  readonly mapping: LambdaEventSourceMapping;
  /** Where records that fail again and unreadable ranges are kept. */
  readonly parked: FailureDestination;
  /** Moves failure-queue messages that keep failing to the parked queue. */
  readonly failureQueueRedrivePolicy: SqsQueueRedrivePolicy;
  readonly functionName: string;
  readonly functionArn: string;
  readonly logGroupName: string;
  /** The exact statements of the role policy. */
  readonly policyStatements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: FailureRedriveProps) {
    super(scope, id);
    const functionName = props.functionName ?? physicalName(this, 64);
    const roleName = props.roleName ?? physicalName(this, 64, '-role');
    const failure = props.failureDestination;
    const v = new PropsValidator(this);
    validateRedrive(v, props, { functionName, roleName }, { kind: failure.kind, visibilityTimeoutSeconds: failure.queue?.visibilityTimeoutSecondsInput });
    const filter = props.consumer.mapping.filterCriteriaInput?.filter;
    const patterns = Array.isArray(filter) ? filter.map((f) => f.pattern).filter((p): p is string => typeof p === 'string') : [];
    const environment: Record<string, string> = {
      REDRIVE_PARKED_QUEUE_URL: 'x'.repeat(200), // placeholder of a queue URL's size, for the size check
      REDRIVE_MAX_ATTEMPTS: String(props.maxAttempts ?? REDRIVE_DEFAULTS.maxAttempts),
      REDRIVE_INVOKE_BATCH_SIZE: String(props.invokeBatchSize ?? REDRIVE_DEFAULTS.invokeBatchSize),
      ...(patterns.length ? { REDRIVE_FILTER_PATTERNS: JSON.stringify(patterns) } : {}),
      POWERTOOLS_SERVICE_NAME: functionName,
      POWERTOOLS_METRICS_NAMESPACE: 'DynamoDBStreamRedrive',
    };
    validateRedriveFilters(v, patterns, environment);
    v.throwIfInvalid();

    const provider = props.provider;
    const tags = props.tags;
    const code = bindCode(this, 'Code', props.code ?? libraryHandlerCode('redrive'), 'node22');
    this.parked = new FailureDestination(this, 'Parked', { kind: 'sqs', ...props.parkedQueue, tags: props.parkedQueue?.tags ?? tags, provider });
    this.failureQueueRedrivePolicy = new SqsQueueRedrivePolicy(this, 'FailureQueueRedrive', {
      provider,
      queueUrl: failure.queueUrl!,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.parked.queueArn, maxReceiveCount: props.maxReceiveCount ?? REDRIVE_DEFAULTS.maxReceiveCount }),
    });

    this.logGroupName = `/aws/lambda/${functionName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', { provider, name: this.logGroupName, retentionInDays: props.logRetentionDays ?? REDRIVE_DEFAULTS.logRetentionDays, tags });
    this.role = new IamRole(this, 'Role', { provider, name: roleName, assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'), tags });
    const streamArn = props.consumer.mapping.eventSourceArnInput!;
    const consumerArns = [props.consumer.functionArn, ...(props.consumer.alias ? [props.consumer.alias.arn] : [])];
    this.policyStatements = [
      // What Lambda's SQS poller calls with this role (the handler itself never calls SQS here).
      { sid: 'ConsumeFailureRecords', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], resources: [failure.queueArn!] },
      ...kmsStatements('DecryptFailureRecords', failure.kmsKeyArn, ['kms:Decrypt']),
      // The handler's own calls (test/handlers/grants-redrive-orders.test.ts records them).
      { sid: 'ReadFailedRanges', actions: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] },
      ...kmsStatements('DecryptStream', props.streamEncryptionKeyArn, ['kms:Decrypt']),
      { sid: 'InvokeConsumer', actions: ['lambda:InvokeFunction'], resources: consumerArns },
      { sid: 'ParkRecords', actions: ['sqs:SendMessage'], resources: [this.parked.queueArn!] },
      ...kmsStatements('EncryptParkedRecords', this.parked.kmsKeyArn, ['kms:Decrypt', 'kms:GenerateDataKey']),
      { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
    ];
    this.rolePolicy = new IamRolePolicy(this, 'Policy', { provider, name: 'failure-redrive', role: this.role.name, policy: identityPolicyJson(this.policyStatements) });

    this.function = new LambdaFunction(this, 'Function', {
      provider,
      functionName,
      description: 'Redrives the failed batches of a DynamoDB stream consumer and parks what still fails',
      role: this.role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: props.memorySize ?? REDRIVE_DEFAULTS.memorySize,
      timeout: props.timeoutSeconds ?? REDRIVE_DEFAULTS.timeoutSeconds,
      filename: code.filename,
      sourceCodeHash: code.hash,
      environment: { variables: { ...environment, REDRIVE_PARKED_QUEUE_URL: this.parked.queueUrl! } },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      tags,
      dependsOn: [this.logGroup],
    });
    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;

    this.mapping = new LambdaEventSourceMapping(this, 'Mapping', {
      provider,
      eventSourceArn: failure.queueArn!,
      functionName: this.function.arn,
      batchSize: props.batchSize ?? REDRIVE_DEFAULTS.batchSize,
      functionResponseTypes: ['ReportBatchItemFailures'],
      // AWS checks the role's queue permissions when the mapping is created.
      dependsOn: [this.rolePolicy],
    });
  }
}
