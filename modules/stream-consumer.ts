import { Lazy, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias';
import { KinesisStreamConsumer } from '@cdktf/provider-aws/lib/kinesis-stream-consumer';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaProvisionedConcurrencyConfig } from '@cdktf/provider-aws/lib/lambda-provisioned-concurrency-config';
import { eventSourceMappingConfig, validateEventSource } from './internal/event-source-mapping';
import { validateFunctionOptions } from './internal/function-options';
import { createIdempotencyTable, idempotencySettings, IdempotencyTable } from './internal/idempotency-table';
import { assumeRolePolicy, identityPolicyJson } from './internal/iam';
import { bindCode } from './internal/lambda-code';
import { physicalName } from './internal/naming';
import { lambdaMetric } from './internal/metrics';
import { INDEX_ACTIONS } from './internal/table-access';
import type { MetricId } from './props/alarm-settings';
import { PropsValidator } from './internal/validation';
import { validateConsumerSafety } from './internal/consumer-safety';
import type { ConsumerToolkitOptions } from './props/consumer-toolkit';
import type { StreamEventSourceOptions } from './props/event-source';
import type { Bundle, FunctionOptions, LambdaCode } from './props/function';
import { TABLE_ITEM_ACTIONS } from './props/policy';
import type { OnFailureTarget, PolicyStatement, TableItemAction } from './props/policy';
import { IKinesisSource } from './kinesis-stream';
import { IDataTable, IStreamSource } from './stream-table';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';
import { CONSUMER_TOOLKIT_ENV } from '../handlers/contract';

/** What a consumer reads: a table's DynamoDB stream, or its changes in a Kinesis data stream. */
export type ChangeSource = IStreamSource | IKinesisSource;

/** True for a Kinesis source ({@link TableKinesisStream}); false for a DynamoDB stream source. */
export function isKinesisSource(source: ChangeSource): source is IKinesisSource {
  return (source as IKinesisSource).sourceKind === 'kinesis';
}

/** Props of {@link StreamConsumer}. */
export interface StreamConsumerProps extends FunctionOptions, StreamEventSourceOptions, ConsumerToolkitOptions {
  /**
   * The change source the function reads: a table's DynamoDB stream (a StreamTable, a replica's
   * stream, an imported table from `StreamTable.fromAttributes`), where the consumer is one of at
   * most 2 readers, or its Kinesis data stream (a TableKinesisStream), read with shared throughput
   * or through an enhanced fan-out consumer. Required (or its deprecated name `table`).
   */
  readonly source?: ChangeSource;
  /**
   * The change source, under its former name.
   * @deprecated Use `source`; `table` is accepted until 1.0. Setting both is refused.
   */
  readonly table?: ChangeSource;
  /** The function's code: a handler entry bundled at synth time, a bundled directory, or a zip. */
  readonly code: LambdaCode;
  /** Where batches that exhaust retries or age out are reported (SQS queue, SNS topic or S3 bucket). @default none: they are dropped */
  readonly onFailure?: OnFailureTarget;
  /** Extra statements for the function's role (exact ARNs; e.g. writes to another table). @default none */
  readonly additionalStatements?: PolicyStatement[];
  /** Provider (region) for every resource; must be the table's region. @default the table's provider */
  readonly provider?: TerraformProvider;
}

/**
 * A Lambda function that consumes a table's stream: code, one least-privilege role, an explicit log
 * group with retention, and the event source mapping with production defaults (start at
 * TRIM_HORIZON, bisect on error, 3 retries, records dropped after a day, partial batch responses).
 *
 * @example
 * const consumer = new StreamConsumer(stack, 'OrderEvents', {
 *   source: orders, // a StreamTable, an imported table, or a TableKinesisStream
 *   code: { entry: 'src/order-events.ts' },
 *   batchSize: 500,
 *   onFailure: new FailureDestination(stack, 'OrderEventFailures'),
 * });
 * consumer.grantItemActions(stock, ['dynamodb:UpdateItem']);
 */
export class StreamConsumer extends Construct {
  /** The function. */
  readonly function: LambdaFunction;
  /** The function's execution role (one per function). */
  readonly role: IamRole;
  /** The role's inline policy, rendered at synth so later grants land in it. */
  readonly rolePolicy: IamRolePolicy;
  /** The function's log group, created before the function so retention applies from the first log. */
  readonly logGroup: CloudwatchLogGroup;
  /** The event source mapping from the source to the function (or its alias). */
  readonly mapping: LambdaEventSourceMapping;
  /** The change source, as given. */
  readonly source: ChangeSource;
  /** The enhanced fan-out consumer the mapping reads through (Kinesis source with `fanOut`). */
  readonly fanOutConsumer?: KinesisStreamConsumer;
  /** Name of the fan-out consumer (its metrics' ConsumerName dimension). */
  readonly fanOutConsumerName?: string;
  /** The alias the mapping invokes when provisioned concurrency is on. */
  readonly alias?: LambdaAlias;
  /** The provisioned concurrency of the alias, with `provisionedConcurrency`. */
  readonly provisionedConcurrencyConfig?: LambdaProvisionedConcurrencyConfig;
  /** Name of the function (the FunctionName dimension of its metrics). */
  readonly functionName: string;
  /** ARN of the function (unqualified). */
  readonly functionArn: string;
  /** What the mapping invokes: the alias ARN with provisioned concurrency, else the function ARN. */
  readonly invokeArn: string;
  /** ARN of the execution role. */
  readonly roleArn: string;
  /** Name of the execution role. */
  readonly roleName: string;
  /** Name of the log group (`/aws/lambda/<function>`). */
  readonly logGroupName: string;
  /** Content hash of the deployed code (also the function's source_code_hash). */
  readonly codeHash: string;
  /** The esbuild bundle, when the code came from an entry. */
  readonly bundle?: Bundle;
  /** The table the consumer toolkit remembers processed changes in (`idempotency`). */
  readonly idempotencyTable?: DynamodbTable;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.StreamConsumerProps, props);
    const functionName = props.functionName ?? physicalName(this, 64);
    const roleName = props.roleName ?? physicalName(this, 64, '-role');
    // checkKnownProps made sure exactly one of the two names is set.
    const source = (props.source ?? props.table)!;
    const kinesis = isKinesisSource(source) ? source : undefined;
    const fanOut = kinesis !== undefined && !!props.fanOut;
    const consumerName = fanOut
      ? ((typeof props.fanOut === 'object' ? props.fanOut.consumerName : undefined) ?? physicalName(this, 128))
      : undefined;
    const v = new PropsValidator(this);
    validateFunctionOptions(v, props, functionName, roleName, 'entry' in props.code);
    const patterns = validateEventSource(v, props, {
      source: kinesis ? 'kinesis' : 'dynamodb-stream',
      streamViewType: kinesis ? undefined : (source as IStreamSource).streamViewType,
      onFailureArn: props.onFailure?.destinationArn,
      fanOutConsumerName: consumerName,
      retentionHours: kinesis?.retentionHours,
    });
    validateConsumerSafety(v, props);
    const idempotency = idempotencySettings(v, props.idempotency);
    v.throwIfInvalid();

    this.source = source;
    const provider = props.provider ?? source.provider;
    const runtime = props.runtime ?? 'nodejs22.x';
    const code = bindCode(this, 'Code', props.code, runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'));
    this.codeHash = code.hash;
    this.bundle = code.bundle;
    if (kinesis) kinesis.addKinesisReader(this, fanOut ? 'fan-out' : 'shared');
    else (source as IStreamSource).addStreamReader(this);
    const tags = props.tags;
    if (kinesis && consumerName) {
      this.fanOutConsumerName = consumerName;
      this.fanOutConsumer = new KinesisStreamConsumer(this, 'FanOutConsumer', {
        provider,
        name: consumerName,
        streamArn: kinesis.streamArn,
      });
    }

    let idempotencyTable: IdempotencyTable | undefined;
    if (idempotency) {
      // Named after the function when it has a given name: a module instantiated per environment
      // names its functions per environment, and the tables must not collide.
      const name = props.functionName ? `${props.functionName}-idempotency` : physicalName(this, 255, '-idempotency');
      // Only a windowed Kinesis consumer reads and writes the windows' markers.
      const windowMarkers = kinesis !== undefined && (props.tumblingWindowSeconds ?? 0) > 0;
      idempotencyTable = createIdempotencyTable(this, name, idempotency, provider, tags, windowMarkers);
      this.idempotencyTable = idempotencyTable.table;
    }

    this.logGroupName = `/aws/lambda/${functionName}`;
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      provider,
      name: this.logGroupName,
      retentionInDays: props.logRetentionDays ?? 30,
      tags,
    });

    this.role = new IamRole(this, 'Role', { provider, name: roleName, assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'), tags });
    this.roleArn = this.role.arn;
    // Lambda writes on-failure records with the function's execution role.
    props.onFailure?.addSender?.(this.roleArn);
    this.roleName = this.role.name;
    this.addToRolePolicy(
      ...(kinesis ? kinesis.kinesisReadStatements(this.fanOutConsumer?.arn) : (source as IStreamSource).streamReadStatements()),
      { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
      ...(props.onFailure?.sendStatements ?? []),
      // X-Ray has no resource-level permissions for these two actions: "*" is the only valid resource.
      ...(props.tracing ? [{ sid: 'WriteTraces', actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] }] : []),
      ...(idempotencyTable?.statements ?? []),
      ...(props.additionalStatements ?? []),
    );
    // Rendered at synth time so grants made after construction land in the same policy.
    this.rolePolicy = new IamRolePolicy(this, 'Policy', {
      provider,
      name: 'stream-consumer',
      role: this.role.name,
      policy: Lazy.stringValue({ produce: () => identityPolicyJson(uniqueSids(this.statements)) }),
    });

    const json = (props.logFormat ?? 'JSON') === 'JSON';
    const sourceMaps = 'entry' in props.code && props.code.bundling?.sourceMap === true;
    const environment = {
      ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      ...toolkitEnvironment(source, kinesis !== undefined),
      ...idempotencyTable?.environment,
      ...props.environment,
    };
    const provisioned = props.provisionedConcurrency !== undefined;
    this.function = new LambdaFunction(this, 'Function', {
      provider,
      functionName,
      description: props.description,
      role: this.role.arn,
      runtime,
      handler: props.handler ?? 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: props.memorySize ?? 256,
      timeout: props.timeoutSeconds ?? 30,
      filename: code.filename,
      sourceCodeHash: code.hash,
      environment: Object.keys(environment).length ? { variables: environment } : undefined,
      reservedConcurrentExecutions: props.reservedConcurrency,
      publish: provisioned ? true : undefined,
      loggingConfig: {
        logFormat: json ? 'JSON' : 'Text',
        logGroup: this.logGroup.name,
        applicationLogLevel: json ? (props.applicationLogLevel ?? 'INFO') : undefined,
        systemLogLevel: json ? (props.systemLogLevel ?? 'WARN') : undefined,
      },
      tracingConfig: props.tracing ? { mode: 'Active' } : undefined,
      tags,
      dependsOn: [this.logGroup],
    });
    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;

    if (provisioned) {
      this.alias = new LambdaAlias(this, 'Alias', {
        provider,
        name: props.aliasName ?? 'live',
        functionName: this.function.functionName,
        functionVersion: this.function.version,
      });
      this.provisionedConcurrencyConfig = new LambdaProvisionedConcurrencyConfig(this, 'ProvisionedConcurrency', {
        provider,
        functionName: this.function.functionName,
        qualifier: this.alias.name,
        provisionedConcurrentExecutions: props.provisionedConcurrency!,
      });
    }
    this.invokeArn = this.alias ? this.alias.arn : this.function.arn;

    this.mapping = new LambdaEventSourceMapping(this, 'Mapping', {
      ...eventSourceMappingConfig(props, patterns, {
        functionArn: this.invokeArn,
        eventSourceArn: this.fanOutConsumer?.arn ?? source.streamArn,
        onFailureArn: props.onFailure?.destinationArn,
        provider,
      }),
      // AWS checks the role's stream permissions when the mapping is created.
      dependsOn: [this.rolePolicy],
    });
  }

  /** Adds statements to the function's role policy (exact resources; rendered at synth). */
  addToRolePolicy(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }

  /**
   * Lets the function make exactly `actions` on `table`, the calls its handler makes and no
   * others: e.g. `['dynamodb:UpdateItem']` for a handler that only updates items. Query and Scan
   * are granted on the table and on the secondary indexes named in `indexes` (by exact ARN). A
   * customer-managed key adds kms:Decrypt, and for writes kms:Encrypt and kms:GenerateDataKey.
   * Least privilege: prefer this to `grantWriteData`/`grantReadData`, which grant every item write
   * or read. Throws, naming this construct, for an action outside TABLE_ITEM_ACTIONS or an index the
   * table does not have.
   */
  grantItemActions(table: IDataTable, actions: readonly TableItemAction[], indexes: readonly string[] = []): void {
    const v = new PropsValidator(this);
    const why = 'the DynamoDB item actions a stream consumer can be granted; the stream read is granted already';
    if (!actions.length) v.fail('grantItemActions.actions', actions, `at least one of ${TABLE_ITEM_ACTIONS.join(', ')}`, why);
    for (const a of actions) v.oneOf('grantItemActions.actions', a, TABLE_ITEM_ACTIONS, why);
    if (indexes.length && !actions.some((a) => INDEX_ACTIONS.includes(a))) {
      v.fail(
        'grantItemActions.indexes',
        indexes,
        'empty unless actions include dynamodb:Query or dynamodb:Scan',
        'only those two read an index',
      );
    }
    for (const i of indexes) {
      if (!table.indexNames.includes(i))
        v.fail(
          'grantItemActions.indexes',
          i,
          table.indexNames.length
            ? `one of the table's indexes (${table.indexNames.join(', ')})`
            : 'empty: the table has no secondary index',
        );
    }
    v.throwIfInvalid();
    this.addToRolePolicy(...table.itemActionStatements(actions, indexes));
  }

  /**
   * Lets the function make every item write (PutItem, UpdateItem, DeleteItem,
   * BatchWriteItem, ConditionCheckItem) on `table` (and use its customer-managed key).
   */
  grantWriteData(table: IDataTable): void {
    this.addToRolePolicy(...table.writeDataStatements());
  }

  /**
   * Lets the function make every item read (GetItem, BatchGetItem, Query, Scan,
   * ConditionCheckItem) on `table` and its indexes (and decrypt with its customer-managed key).
   */
  grantReadData(table: IDataTable): void {
    this.addToRolePolicy(...table.readDataStatements());
  }

  /**
   * The function's IteratorAge (ms between a record's arrival in the source and its delivery to the
   * function; alarm on its Maximum): how far the consumer is behind. With provisioned concurrency,
   * the alias's series, which the mapping invokes.
   */
  metricIteratorAge(): MetricId {
    return lambdaMetric('IteratorAge', this.functionName, this.alias?.name);
  }

  /** The function's Errors: invocations that threw, crashed or timed out (alarm on Sum). */
  metricErrors(): MetricId {
    return lambdaMetric('Errors', this.functionName, this.alias?.name);
  }

  /** The function's Throttles: invocations refused for lack of concurrency (alarm on Sum). */
  metricThrottles(): MetricId {
    return lambdaMetric('Throttles', this.functionName, this.alias?.name);
  }

  /** The function's Invocations (batches delivered, retries included). */
  metricInvocations(): MetricId {
    return lambdaMetric('Invocations', this.functionName, this.alias?.name);
  }

  /** A copy of the statements of the role policy, as they will be rendered. */
  get policyStatements(): PolicyStatement[] {
    return uniqueSids(this.statements);
  }
}

/**
 * What the consumer toolkit reads (`cdktf-dynamodb-streams/consumer`): the view type of the
 * source, so reading an image the stream does not carry is an error naming it. Kinesis Data Streams
 * for DynamoDB always carry both images.
 */
function toolkitEnvironment(source: ChangeSource, kinesis: boolean): Record<string, string> {
  const view = kinesis ? 'NEW_AND_OLD_IMAGES' : (source as IStreamSource).streamViewType;
  return view ? { [CONSUMER_TOOLKIT_ENV.viewType]: view } : {};
}

/** IAM rejects a policy with duplicate Sids; a repeated Sid (two tables granted) gets a counter. */
function uniqueSids(statements: PolicyStatement[]): PolicyStatement[] {
  const seen = new Map<string, number>();
  return statements.map((s) => {
    if (!s.sid) return s;
    const n = (seen.get(s.sid) ?? 0) + 1;
    seen.set(s.sid, n);
    return n === 1 ? s : { ...s, sid: `${s.sid}${n}` };
  });
}
