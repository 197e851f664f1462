/**
 * One StreamPipeline with the same settings as the AWS CDK app in bench/peers/aws-cdk-app.js,
 * for `npm run bench -- peers`: table (stream, TTL, GSI, PITR, deletion protection), consumer
 * (bundle folder, log group), mapping settings, SQS failure destination, alarms.
 */
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { join } from 'path';
import { StreamPipeline } from '../../modules';

const app = new App();
const stack = new TerraformStack(app, 'orders');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new StreamPipeline(stack, 'Orders', {
  source: {
    tableName: 'orders',
    partitionKey: { name: 'orderId', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    globalSecondaryIndexes: [{ name: 'byCustomer', partitionKey: { name: 'customerId', type: 'S' } }],
  },
  consumer: {
    code: { bundleDirectory: join(__dirname, '..', '..', '..', 'bench', 'peers', 'handler') },
    memorySize: 256,
    timeoutSeconds: 30,
    batchSize: 500,
    maxBatchingWindowSeconds: 5,
    retryAttempts: 3,
    maxRecordAgeSeconds: 86400,
  },
});
app.synth();
