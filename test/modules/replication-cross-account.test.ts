import { ReplicaAccessRole } from '../../modules';
import { one, ref, replicated, writerEnv, writerPolicy } from './support/replication';

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
    const writerRole = ref(json, 'aws_iam_role', 'Writer-eu-west-1_Consumer_', 'arn');
    // The trust policy is a Terraform expression (the writer's account comes from its role ARN);
    // test/modules/replication-terraform.test.ts has terraform render it.
    const trust: string = one(json, 'aws_iam_role', 'Access_').assume_role_policy;
    expect(trust).toMatch(/^\$\{jsonencode\(/);
    const bare = writerRole.slice(2, -1);
    // The writer and its backlog drainer, which writes the same table when the writer could not.
    const drainer = ref(json, 'aws_iam_role', 'Writer-eu-west-1_Backlog_', 'arn').slice(2, -1);
    expect(trust).toContain(`"aws:PrincipalArn" = [${bare}, ${drainer}]`);
    expect(trust).toContain(`element(split(":", ${bare}), 4)`);
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
    expect(iamRole.assume_role_policy).toContain(
      `"aws:PrincipalArn" = [${ref(json, 'aws_iam_role', 'Writer-eu-west-1_Consumer_', 'arn').slice(2, -1)}, ${ref(json, 'aws_iam_role', 'Writer-eu-west-1_Backlog_', 'arn').slice(2, -1)}]`,
    );
    expect(JSON.parse(one(json, 'aws_iam_role_policy', 'UsAccess_').policy).Statement[0].Resource).toBe(
      ref(json, 'aws_dynamodb_table', 'Table-us-east-1_', 'arn'),
    );
  });

  test('GIVEN a writer role ARN that is not a role ARN WHEN a ReplicaAccessRole is made THEN it is refused naming the prop', () => {
    const { stack } = replicated({}, ['eu-west-1', 'us-east-1']);
    expect(
      () =>
        new ReplicaAccessRole(stack, 'Access', {
          roleName: 'customers-replica-writes',
          writerRoleArns: ['arn:aws:iam::210987654321:user/alice', 'customers-writer'],
          tableArn: 'arn:aws:dynamodb:us-east-1:210987654321:table/customers',
        }),
    ).toThrow(/writerRoleArns\[0\] must be an IAM role ARN.*writerRoleArns\[1\] must be an IAM role ARN/s);
  });
});
