/**
 * Every public construct and option type that the example app does not use, built the way a
 * consumer would from the installed package, so the matrix type-checks and synthesizes all of them.
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import {
  AlarmTopic,
  FailureDestination,
  FailureRedrive,
  type FunctionOptions,
  type IReplicaWriter,
  PipelineAlarms,
  type PolicyStatement,
  ReplicatedTable,
  StreamConsumer,
  type StreamEventSourceOptions,
  StreamTable,
} from 'cdktf-dynamodb-streams';
import { sourcePath } from './examples/source-path';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export function everyConstructStack(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const us = new AwsProvider(stack, 'us', { region: 'us-east-1', alias: 'us' });

  const events = new StreamTable(stack, 'Events', {
    tableName: 'events',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    localSecondaryIndexes: [{ name: 'byTime', sortKey: { name: 'at', type: 'N' }, projectionType: 'KEYS_ONLY' }],
    billingMode: 'PROVISIONED',
    readCapacity: 5,
    writeCapacity: 5,
    encryptionKeyArn: KEY_ARN,
    pointInTimeRecoveryDays: 7,
    tableClass: 'STANDARD_INFREQUENT_ACCESS',
  });
  // The redrive derives its timeout from the consumer's, and the queue's visibility timeout from it.
  const failures = new FailureDestination(stack, 'Failures', { name: 'events-failures' });
  const functionOptions: FunctionOptions = {
    memorySize: 512,
    timeoutSeconds: 30,
    reservedConcurrency: 4,
    provisionedConcurrency: 1,
    tracing: true,
  };
  const mapping: StreamEventSourceOptions = { batchSize: 50, filters: [{ eventName: ['INSERT', 'MODIFY'] }], eventCountMetrics: true };
  const consumer = new StreamConsumer(stack, 'Consumer', {
    table: events,
    code: { entry: sourcePath('examples/orders/order-stats.ts') },
    onFailure: failures,
    ...functionOptions,
    ...mapping,
  });
  const audit: PolicyStatement = { sid: 'ReadOwnTable', actions: ['dynamodb:GetItem'], resources: [events.tableArn] };
  consumer.addToRolePolicy(audit);
  new FailureRedrive(stack, 'Redrive', { consumer, failureDestination: failures, streamEncryptionKeyArn: KEY_ARN, maxAttempts: 2 });

  const topic = new AlarmTopic(stack, 'AlarmTopic', { topicName: 'events-alarms' });
  const alarms = new PipelineAlarms(stack, 'Alarms', {
    functionName: consumer.functionName,
    aliasName: 'live',
    failureDestination: failures,
    actionArns: [topic.topicArn],
    region: 'eu-west-1',
    alarms: { iteratorAge: { threshold: 30000 } },
  });
  alarms.addAlarm('slowBatches', {
    namespace: 'AWS/Lambda',
    metricName: 'Duration',
    dimensions: { FunctionName: consumer.functionName },
    threshold: 25000,
    nameSuffix: 'slow-batches',
    title: 'Duration (ms)',
    description: 'Batches take most of the timeout.',
  });
  new FailureDestination(stack, 'Notifications', { kind: 'sns', name: 'events-notifications' });

  const sessions = new ReplicatedTable(stack, 'Sessions', {
    tableName: 'sessions',
    partitionKey: { name: 'id', type: 'S' },
    mode: 'global-table',
    home: { region: 'eu-west-1' },
    replicas: [{ region: 'us-east-1', provider: us }],
  });
  const carts = new ReplicatedTable(stack, 'Carts', {
    tableName: 'carts',
    partitionKey: { name: 'id', type: 'S' },
    home: { region: 'eu-west-1' },
    replicas: [
      {
        region: 'us-east-1',
        provider: us,
        writerRoleArn: 'arn:aws:iam::222222222222:role/carts-replica-writes',
        readReplica: true,
        maskAttributes: ['email'],
      },
    ],
    mode: 'one-way',
    writer: { concurrency: 8, tombstoneTtlSeconds: 86400 * 3 },
  });
  // In a real estate this role goes into the target account's stack, with that account's provider.
  carts.accessRole(stack, 'CartsAccessRole', 'us-east-1', { roleName: 'carts-replica-writes' });
  const writers: IReplicaWriter[] = carts.writers;
  if (writers.length !== 1 || sessions.globalAlarms.length !== 2)
    throw new Error(`unexpected replication layout: ${writers.length} writers, ${sessions.globalAlarms.length} global alarms`);
  return stack;
}
