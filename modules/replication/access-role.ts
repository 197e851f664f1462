import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { identityPolicyJson, kmsStatements } from '../internal/iam';
import { LIMITS } from '../internal/limits';
import { PropsValidator } from '../internal/validation';
import { checkKnownProps } from '../internal/known-props';
import { PROP_SHAPES } from '../internal/prop-shapes';

export interface ReplicaAccessRoleProps {
  /** Role name in the target account, 1..64 of [A-Za-z0-9_+=,.@-]; its ARN is the region's `writerRoleArn`. */
  readonly roleName: string;
  /**
   * ARNs of the replica writers' roles allowed to assume this role (ReplicatedTable.writerRoleArnsInto).
   * IAM refuses a trust policy naming a role that does not exist yet: deploy the writers first.
   */
  readonly writerRoleArns: string[];
  /** ARN of the replica table in this (the target) account. */
  readonly tableArn: string;
  /** Customer-managed key of that table. @default none */
  readonly encryptionKeyArn?: string;
  /** Provider of the target account. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
  /** Tags for the role. @default none */
  readonly tags?: Record<string, string>;
}

/**
 * The role a target account offers to replica writers of another account: trusted by exactly
 * those writer roles, allowed exactly the one item write the writer makes (PutItem) on exactly one
 * table. Goes into the target account's stack.
 */
export class ReplicaAccessRole extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ReplicaAccessRoleProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.ReplicaAccessRoleProps, props);
    const v = new PropsValidator(this);
    v.matches('roleName', props.roleName, LIMITS.roleName.pattern, LIMITS.roleName.described);
    if (!props.writerRoleArns.length)
      v.fail('writerRoleArns', props.writerRoleArns, 'at least one role ARN', 'a role nobody may assume is useless');
    v.throwIfInvalid();
    this.role = new IamRole(this, 'Role', {
      provider: props.provider,
      name: props.roleName,
      // Trust policies have no Resource; the writers' roles are the only principals.
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: props.writerRoleArns }, Action: 'sts:AssumeRole' }],
      }),
      tags: props.tags,
    });
    this.roleArn = this.role.arn;
    new IamRolePolicy(this, 'Policy', {
      provider: props.provider,
      role: this.role.name,
      name: 'replica-writes',
      policy: identityPolicyJson([
        // The writer's only call with this role: its conditional PutItem (test/handlers/grants-writer.test.ts).
        { sid: 'WriteReplica', actions: ['dynamodb:PutItem'], resources: [props.tableArn] },
        ...kmsStatements('EncryptReplica', props.encryptionKeyArn, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']),
      ]),
    });
  }
}
