import { Fn, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { identityPolicyJson, kmsStatements } from '../internal/iam';
import { LIMITS } from '../internal/limits';
import { PropsValidator } from '../internal/validation';
import { checkKnownProps } from '../internal/known-props';
import { PROP_SHAPES } from '../internal/prop-shapes';

/** The role a ReplicaAccessRole creates in a target account, and the writer roles it trusts. */
export interface ReplicaAccessRoleProps {
  /** Role name in the target account, 1..64 of [A-Za-z0-9_+=,.@-]; its ARN is the region's `writerRoleArn`. */
  readonly roleName: string;
  /**
   * ARNs of the replica writers' roles allowed to assume this role (ReplicatedTable.writerRoleArnsInto).
   * The trust policy names their accounts and compares `aws:PrincipalArn` with these ARNs, so a
   * writer role that is deleted and re-created keeps its access (IAM pins a principal role ARN to
   * the unique id of the role it named), and the writers need not exist before this role.
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
 *
 * Why the account root with an `aws:PrincipalArn` condition rather than the role ARNs as
 * principals: IAM stores a role principal as the role's unique id, so after a writer's role is
 * re-created (a renamed stack, a replaced resource) the trust policy still names the old role and
 * the writer is denied until someone saves the policy again. The condition compares ARNs as text.
 * The account root principal alone would trust every principal of those accounts whose own
 * policies allow sts:AssumeRole; the condition keeps it to exactly the writer roles.
 */
export class ReplicaAccessRole extends Construct {
  /** The IAM role, for tags or further policies of your own (anything added widens what every trusted writer may do). */
  readonly role: IamRole;
  /** The role's ARN (a Terraform reference): give it to the writing account's ReplicatedTable as that region's `writerRoleArn`. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ReplicaAccessRoleProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.ReplicaAccessRoleProps, props);
    const v = new PropsValidator(this);
    v.matches('roleName', props.roleName, LIMITS.roleName.pattern, LIMITS.roleName.described);
    if (!props.writerRoleArns.length)
      v.fail('writerRoleArns', props.writerRoleArns, 'at least one role ARN', 'a role nobody may assume is useless');
    for (const [i, arn] of props.writerRoleArns.entries())
      v.matches(
        `writerRoleArns[${i}]`,
        arn,
        ROLE_ARN,
        'an IAM role ARN (arn:aws:iam::<account>:role/<name>)',
        'the trust policy derives the account from it',
      );
    v.throwIfInvalid();
    this.role = new IamRole(this, 'Role', {
      provider: props.provider,
      name: props.roleName,
      // Trust policies have no Resource; the writers' accounts, and in them exactly the writer roles.
      assumeRolePolicy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: Fn.distinct(props.writerRoleArns.map(accountRootOf)) },
            Action: 'sts:AssumeRole',
            Condition: { ArnEquals: { 'aws:PrincipalArn': props.writerRoleArns } },
          },
        ],
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

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** `arn:<partition>:iam::<account>:root` of a role ARN, resolved by Terraform (the ARN may be a reference). */
function accountRootOf(roleArn: string): string {
  const part = (i: number) => Fn.element(Fn.split(':', roleArn), i);
  return Fn.join('', ['arn:', part(1), ':iam::', part(4), ':root']);
}
