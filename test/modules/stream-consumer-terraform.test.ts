import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { StreamConsumer } from '../../modules/stream-consumer';
import { StreamTable } from '../../modules/stream-table';
import { CACHE_DIR, HANDLER_ENTRY, KEY_ARN, newStack } from '../support/consumer-stack';
import { stackFolder, terraformIn } from '../support/terraform';

describe('StreamConsumer with the real provider (offline terraform)', () => {
  test('GIVEN two fully loaded consumers of a CMK table WHEN init, validate and plan run THEN hashicorp/aws 5.100 accepts everything we generate', () => {
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

    const plan = terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan();
    const created = plan.resource_changes.filter((c: any) => c.change.actions.join() === 'create').map((c: any) => c.type);
    expect(created.sort()).toEqual(
      [
        'aws_cloudwatch_log_group',
        'aws_cloudwatch_log_group',
        'aws_dynamodb_table',
        'aws_dynamodb_table',
        'aws_iam_role',
        'aws_iam_role',
        'aws_iam_role_policy',
        'aws_iam_role_policy',
        'aws_lambda_alias',
        'aws_lambda_event_source_mapping',
        'aws_lambda_event_source_mapping',
        'aws_lambda_function',
        'aws_lambda_function',
        'aws_lambda_provisioned_concurrency_config',
        'aws_sqs_queue',
      ].sort(),
    );
    expect(plan.resource_changes).toHaveLength(created.length);
    const mapping = plan.resource_changes.find((c: any) => c.address.startsWith('aws_lambda_event_source_mapping.Projector_Mapping_'));
    expect(mapping.change.after).toMatchObject({
      batch_size: 250,
      parallelization_factor: 5,
      tumbling_window_in_seconds: 30,
      function_response_types: ['ReportBatchItemFailures'],
      metrics_config: [{ metrics: ['EventCount'] }],
    });
  });
});
