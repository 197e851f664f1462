// @ts-check
/**
 * The AWS CDK equivalent of one StreamPipeline (bench/peers/one-pipeline.ts), as an AWS CDK user
 * writes it in plain JavaScript: a table with a stream, TTL, a GSI, PITR and deletion protection;
 * a Node.js function (code from a folder) with its log group; a DynamoEventSource mapping with
 * batch size, window, retries, record age, bisect, ReportBatchItemFailures and an SQS on-failure
 * destination; alarms on iterator age and errors. `npm run bench -- peers` installs aws-cdk-lib
 * into build/cache/peers and runs this file there, as `cdk synth` would run the app.
 */
const { App, Stack, Duration, RemovalPolicy } = require('aws-cdk-lib');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');
const lambda = require('aws-cdk-lib/aws-lambda');
const logs = require('aws-cdk-lib/aws-logs');
const sqs = require('aws-cdk-lib/aws-sqs');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const { DynamoEventSource, SqsDlq } = require('aws-cdk-lib/aws-lambda-event-sources');

const app = new App({ outdir: process.env.CDK_OUTDIR || 'cdk.out' });
const stack = new Stack(app, 'orders', { env: { region: 'eu-west-1' } });
const table = new dynamodb.Table(stack, 'Orders', {
  tableName: 'orders',
  partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
  timeToLiveAttribute: 'expiresAt',
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
  removalPolicy: RemovalPolicy.RETAIN,
});
table.addGlobalSecondaryIndex({ indexName: 'byCustomer', partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING } });
const fn = new lambda.Function(stack, 'Consumer', {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  handler: 'index.handler',
  code: lambda.Code.fromAsset(__dirname + '/handler'),
  memorySize: 256,
  timeout: Duration.seconds(30),
  logGroup: new logs.LogGroup(stack, 'ConsumerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
});
const failures = new sqs.Queue(stack, 'Failures', {
  retentionPeriod: Duration.days(14),
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
});
fn.addEventSource(
  new DynamoEventSource(table, {
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    batchSize: 500,
    maxBatchingWindow: Duration.seconds(5),
    retryAttempts: 3,
    maxRecordAge: Duration.hours(24),
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(failures),
  }),
);
new cloudwatch.Alarm(stack, 'IteratorAge', {
  metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
  threshold: 60000,
  evaluationPeriods: 3,
});
new cloudwatch.Alarm(stack, 'Errors', { metric: fn.metricErrors({ period: Duration.minutes(1) }), threshold: 1, evaluationPeriods: 1 });
app.synth();
