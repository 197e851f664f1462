/**
 * The replication stacks the module tests plan with the real provider (planned with the other
 * planned stacks in one batched run: test/support/stack-plans.ts).
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import { ReplicaAccessRole, ReplicatedTable } from '../../../modules';
import { KEY, newStack, providers, REGIONS } from './replication';

/** Global-table mode, per-target writers, customer-managed keys and a cross-account role (replication-terraform.test.ts). */
export function replicationVariants(): TerraformStack {
  const stack = newStack();
  const p = providers(stack);
  const global = new ReplicatedTable(stack, 'Sessions', {
    tableName: 'sessions',
    partitionKey: { name: 'id', type: 'S' },
    mode: 'global-table',
    encryption: 'CUSTOMER_MANAGED',
    home: { region: 'eu-west-1', provider: p['eu-west-1'], encryptionKeyArn: KEY('eu-west-1') },
    replicas: [{ region: 'us-east-1', provider: p['us-east-1'], encryptionKeyArn: KEY('us-east-1') }],
  });
  new TerraformOutput(stack, 'sessions_us_stream', { value: global.region('us-east-1').streamArn });
  const orders = new ReplicatedTable(stack, 'Orders', {
    tableName: 'orders',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    writerLayout: 'per-target',
    stampedWritesOnly: true,
    replicateItemsWhere: { tier: { S: ['gold'] } },
    home: { region: 'eu-west-1', provider: p['eu-west-1'] },
    replicas: [
      { region: 'us-east-1', provider: p['us-east-1'], writerRoleArn: 'arn:aws:iam::210987654321:role/orders-replica-writes' },
      { region: 'ap-southeast-2', provider: p['ap-southeast-2'] },
    ],
    writer: { memorySize: 512, batchSize: 500, concurrency: 8, tombstoneTtlSeconds: 172800 },
    alarms: { replicationLag: { threshold: 10000 } },
  });
  new ReplicaAccessRole(stack, 'OrdersAccess', {
    roleName: 'orders-replica-writes',
    writerRoleArns: orders.writerRoleArnsInto('us-east-1'),
    tableArn: orders.region('us-east-1').tableArn,
    provider: p['us-east-1'],
  });
  return stack;
}

/** The writer roles of two accounts that crossAccountAccessRole trusts. */
export const WRITERS = [
  'arn:aws:iam::111111111111:role/customers-writer-eu',
  'arn:aws:iam::111111111111:role/customers-writer-ap',
  'arn:aws:iam::222222222222:role/customers-writer-us',
] as const;

/** An access role trusting the writer roles of two accounts (replication-terraform.test.ts). */
export function crossAccountAccessRole(): TerraformStack {
  const stack = newStack();
  const p = providers(stack);
  new ReplicaAccessRole(stack, 'Access', {
    roleName: 'customers-replica-writes',
    writerRoleArns: [...WRITERS],
    tableArn: 'arn:aws:dynamodb:us-east-1:333333333333:table/customers',
    provider: p['us-east-1'],
  });
  return stack;
}

/** Replication with the Kinesis change source and stream settings (replication-kinesis.test.ts). */
export function kinesisReplication(): TerraformStack {
  const stack = newStack();
  const p = providers(stack, REGIONS);
  new ReplicatedTable(stack, 'Customers', {
    tableName: 'customers',
    partitionKey: { name: 'pk', type: 'S' },
    home: { region: 'eu-west-1', provider: p['eu-west-1'] },
    replicas: [{ region: 'us-east-1', provider: p['us-east-1'] }],
    changeSource: 'kinesis',
    kinesisStream: { capacityMode: 'PROVISIONED', shardCount: 2, retentionHours: 72, streamName: 'customer-changes' },
  });
  return stack;
}
