import { ReplicaAccessRole } from '../../modules';
import { one, ref, replicated, writerEnv, writerPolicy } from './replication/fixtures';

describe('ReplicatedTable: cross-account targets', () => {
  test('GIVEN a target with a writer role ARN WHEN synthesized THEN writers may only assume that role for it and pass the ARN to the handler', () => {
    const role = 'arn:aws:iam::210987654321:role/customers-replica-writes';
    const json = replicated({ replicas: [{ region: 'us-east-1', writerRoleArn: role }] }, ['eu-west-1', 'us-east-1']).synth();
    const statements = writerPolicy(json, 'Writer-eu-west-1').Statement;
    expect(statements.find((s: any) => s.Sid === 'AssumeReplicaRoles')).toEqual({
      Sid: 'AssumeReplicaRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: role,
    });
    expect(statements.find((s: any) => s.Sid === 'WriteReplicas')).toBeUndefined();
    expect(JSON.parse(writerEnv(json, 'Writer-eu-west-1').REPLICATION_TARGETS)).toEqual([
      { region: 'us-east-1', table: 'customers', roleArn: role },
    ]);
  });

  test('GIVEN the writers into a region WHEN a ReplicaAccessRole is made for them THEN it trusts exactly those roles and allows exactly their conditional PutItem on the table', () => {
    const { stack, table, synth } = replicated({}, ['eu-west-1', 'us-east-1']);
    new ReplicaAccessRole(stack, 'Access', {
      roleName: 'customers-replica-writes',
      writerRoleArns: table.writerRoleArnsInto('us-east-1'),
      tableArn: 'arn:aws:dynamodb:us-east-1:210987654321:table/customers',
    });
    const json = synth();
    const writerRole = ref(json, 'aws_iam_role', 'Writer-eu-west-1_', 'arn');
    expect(JSON.parse(one(json, 'aws_iam_role', 'Access_').assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: [writerRole] }, Action: 'sts:AssumeRole' }],
    });
    expect(JSON.parse(one(json, 'aws_iam_role_policy', 'Access_').policy).Statement).toEqual([
      {
        Sid: 'WriteReplica',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: 'arn:aws:dynamodb:us-east-1:210987654321:table/customers',
      },
    ]);
  });

  test('GIVEN a replicated table WHEN it emits the access role of a region THEN the role trusts the writers into that region and may write only that table', () => {
    const { stack, table, synth } = replicated({}, ['eu-west-1', 'us-east-1']);
    table.accessRole(stack, 'UsAccess', 'us-east-1', { roleName: 'customers-replica-writes' });
    const json = synth();
    const iamRole = one(json, 'aws_iam_role', 'UsAccess_');
    expect([iamRole.name, iamRole.provider]).toEqual(['customers-replica-writes', 'aws.us_east_1']);
    expect(JSON.parse(iamRole.assume_role_policy).Statement[0].Principal).toEqual({
      AWS: [ref(json, 'aws_iam_role', 'Writer-eu-west-1_', 'arn')],
    });
    expect(JSON.parse(one(json, 'aws_iam_role_policy', 'UsAccess_').policy).Statement[0].Resource).toBe(
      ref(json, 'aws_dynamodb_table', 'Table-us-east-1_', 'arn'),
    );
  });
});
