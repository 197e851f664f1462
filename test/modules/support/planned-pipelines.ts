/**
 * The pipeline stacks the module tests plan with the real provider. test/support/stack-plans.ts
 * plans them all (and the other planned stacks) in one batched terraform run per jest run; the
 * test named beside each asserts on its plan.
 */
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack, Testing } from 'cdktf';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { FailureDestination } from '../../../modules/failure-destination';
import { TableKinesisStream } from '../../../modules/kinesis-stream';
import { StreamConsumer } from '../../../modules/stream-consumer';
import { StreamPipeline } from '../../../modules/stream-pipeline';
import { StreamTable } from '../../../modules/stream-table';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, newStack, newTable } from '../../support/consumer-stack';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const REDRIVE_CODE = { entry: join(__dirname, '..', '..', '..', 'handlers', 'redrive', 'index.ts'), bundling: { cacheDir: CACHE_DIR } };
const OTHER_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab';

/** Two fully loaded tables (stream-table.test.ts). */
export function loadedTables(): TerraformStack {
  const stack = newStack();
  new StreamTable(stack, 'Orders', {
    tableName: 'orders',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [
      { name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' }, sortKey: { name: 'createdAt', type: 'N' } },
      {
        name: 'byStatus',
        partitionKey: { name: 'status', type: 'S' },
        projectionType: 'INCLUDE',
        nonKeyAttributes: ['total', 'currency'],
      },
    ],
    localSecondaryIndexes: [{ name: 'byCreated', sortKey: { name: 'createdAt', type: 'N' }, projectionType: 'KEYS_ONLY' }],
    timeToLiveAttribute: 'expiresAt',
    encryptionKeyArn: KEY_ARN,
    pointInTimeRecoveryDays: 14,
    tableClass: 'STANDARD_INFREQUENT_ACCESS',
    tags: { team: 'orders' },
  });
  new StreamTable(stack, 'Ledger', {
    tableName: 'ledger',
    partitionKey: { name: 'id', type: 'B' },
    billingMode: 'PROVISIONED',
    readCapacity: 5,
    writeCapacity: 5,
    streamViewType: 'NEW_IMAGE',
    globalSecondaryIndexes: [{ name: 'byAccount', partitionKey: { name: 'account', type: 'N' }, readCapacity: 1, writeCapacity: 1 }],
    encryption: 'AWS_OWNED',
    pointInTimeRecovery: false,
    deletionProtection: false,
    preventDestroy: false,
  });
  return stack;
}

/** A pipeline with a redrive on customer-managed-key queues and a consumer alias (redrive.test.ts). */
export function redriveOnCmkQueues(): TerraformStack {
  const stack = newStack();
  new StreamPipeline(stack, 'Orders', {
    table: { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' }, encryptionKeyArn: KEY_ARN },
    consumer: { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } }, provisionedConcurrency: 1, timeoutSeconds: 20 },
    failureDestination: { kmsKeyArn: KEY_ARN },
    redrive: { code: REDRIVE_CODE, parkedQueue: { kmsKeyArn: OTHER_KEY }, maximumConcurrency: 5 },
    alarms: false,
  });
  return stack;
}

/** A loaded Kinesis pipeline: provisioned stream with a key, shared and fan-out consumers, S3 destinations with a key, redrives (s3-failure-destination.test.ts). */
export function loadedKinesisPipeline(): TerraformStack {
  const stack = newStack();
  const table = newTable(stack);
  const changes = new TableKinesisStream(stack, 'Changes', {
    table,
    stream: { capacityMode: 'PROVISIONED', shardCount: 2, retentionHours: 72, kmsKeyArn: KEY_ARN },
    creationTimePrecision: 'MICROSECOND',
  });
  new StreamPipeline(stack, 'Shared', {
    table: changes,
    consumer: {
      code: CODE,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: '2026-12-01T00:00:00Z',
      filters: [{ data: { eventName: ['INSERT', 'MODIFY'] } }],
    },
    failureDestination: { kind: 's3', kmsKeyArn: KEY_ARN },
    redrive: { code: REDRIVE_CODE },
  });
  new StreamPipeline(stack, 'FanOut', {
    table: changes,
    consumer: { code: CODE, fanOut: true },
    failureDestination: {},
    redrive: { code: REDRIVE_CODE },
  });
  return stack;
}

/** Every kind and encryption of failure destination, in two regions (failure-destination.test.ts). */
export function everyFailureDestination(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'orders');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const west = new AwsProvider(stack, 'west', { region: 'us-west-2', alias: 'west' });
  const key = new KmsKey(stack, 'Key', { description: 'failure records', enableKeyRotation: true });
  new FailureDestination(stack, 'SqsDefault');
  new FailureDestination(stack, 'SqsCmk', {
    name: 'orders-cmk',
    kmsKeyArn: key.arn,
    messageRetentionSeconds: 60,
    visibilityTimeoutSeconds: 43200,
    kmsDataKeyReusePeriodSeconds: 86400,
    tags: { team: 'orders' },
  });
  new FailureDestination(stack, 'SqsWest', { provider: west, messageRetentionSeconds: 1209600 });
  new FailureDestination(stack, 'SnsDefault', { kind: 'sns' });
  new FailureDestination(stack, 'SnsCmk', { kind: 'sns', kmsKeyArn: KEY_ARN, name: 't'.repeat(256), provider: west });
  return stack;
}

/** Two fully loaded consumers of a customer-managed-key table, one bundled and one prebuilt (stream-consumer-terraform.test.ts). */
export function loadedConsumers(): TerraformStack {
  const stack = newStack();
  const table = new StreamTable(stack, 'Orders', {
    tableName: 'orders',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    globalSecondaryIndexes: [{ name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' } }],
    encryptionKeyArn: KEY_ARN,
    timeToLiveAttribute: 'expiresAt',
  });
  const projections = new StreamTable(stack, 'Projections', { tableName: 'projections', partitionKey: { name: 'id', type: 'S' } });
  const queue = new SqsQueue(stack, 'Failures', { name: 'orders-failures' });
  const projector = new StreamConsumer(stack, 'Projector', {
    table,
    code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR, sourceMap: true } },
    functionName: 'orders-projector',
    memorySize: 512,
    timeoutSeconds: 60,
    environment: { TARGET_TABLE: 'projections' },
    reservedConcurrency: 20,
    provisionedConcurrency: 2,
    tracing: true,
    applicationLogLevel: 'DEBUG',
    logRetentionDays: 14,
    batchSize: 250,
    maxBatchingWindowSeconds: 2,
    parallelizationFactor: 5,
    retryAttempts: 5,
    maxRecordAgeSeconds: 3600,
    tumblingWindowSeconds: 30,
    filters: [{ eventName: ['INSERT', 'MODIFY'] }, { dynamodb: { NewImage: { status: { S: ['PAID'] } } } }],
    eventCountMetrics: true,
    onFailure: {
      destinationArn: queue.arn,
      sendStatements: [{ sid: 'SendFailures', actions: ['sqs:SendMessage'], resources: [queue.arn] }],
    },
    tags: { team: 'orders' },
  });
  projector.grantWriteData(projections);
  projector.grantReadData(table);

  const bundleDir = mkdtempSync(join(tmpdir(), 'prebuilt-'));
  writeFileSync(join(bundleDir, 'index.js'), 'exports.handler = async () => ({ batchItemFailures: [] });');
  new StreamConsumer(stack, 'Auditor', {
    table,
    code: { bundleDirectory: bundleDir },
    architecture: 'x86_64',
    logFormat: 'Text',
    startingPosition: 'LATEST',
    enabled: false,
  });
  return stack;
}
