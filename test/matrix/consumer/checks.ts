/**
 * Run-time checks of the installed package outside a synth, printed as JSON for the matrix test:
 * the write helper entry point (`<package>/client`), the error class across the package boundary
 * and the public constants.
 */
import { App, TerraformStack } from 'cdktf';
import { LOG_RETENTION_DAYS, MASKED_VALUE, REPLICATION_METRICS_NAMESPACE, StreamTable, ValidationError } from 'cdktf-dynamodb-streams';
import { replicatedWrites } from 'cdktf-dynamodb-streams/client';

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
console.log(JSON.stringify({ put, validation, constants: { MASKED_VALUE, REPLICATION_METRICS_NAMESPACE, LOG_RETENTION_DAYS } }));
