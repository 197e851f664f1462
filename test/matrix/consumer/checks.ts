/**
 * Run-time checks of the installed package outside a synth, printed as JSON for the matrix test:
 * the write helper entry point (`<package>/client`), the error class across the package boundary,
 * the public constants, and the consumer toolkit (`<package>/consumer`) on a KEYS_ONLY record.
 */
import { App, TerraformStack } from 'cdktf';
import { LOG_RETENTION_DAYS, MASKED_VALUE, REPLICATION_METRICS_NAMESPACE, StreamTable, ValidationError } from 'cdktf-dynamodb-streams';
import { replicatedWrites } from 'cdktf-dynamodb-streams/client';
import { describeChange } from './toolkit-handler';

const put = replicatedWrites({ region: 'eu-west-1' }).put({ TableName: 'customers', Item: { pk: { S: 'c-1' } } });
let validation: { instanceOfValidationError: boolean; message: string } | undefined;
try {
  new StreamTable(new TerraformStack(new App({ outdir: 'cdktf.out.checks' }), 'checks'), 'Bad', {
    tableName: 'x',
    partitionKey: { name: 'pk', type: 'S' },
  });
} catch (e) {
  validation = { instanceOfValidationError: e instanceof ValidationError, message: (e as Error).message };
}
const toolkit = describeChange({
  eventID: '1',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-12-01T00:00:00.000',
  dynamodb: {
    Keys: { orderId: { S: 'o-1' } },
    SequenceNumber: '100',
    StreamViewType: 'KEYS_ONLY',
    ApproximateCreationDateTime: 1764583200,
  },
});
console.log(JSON.stringify({ put, validation, constants: { MASKED_VALUE, REPLICATION_METRICS_NAMESPACE, LOG_RETENTION_DAYS }, toolkit }));
