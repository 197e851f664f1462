import { Fn } from 'cdktf';
import type { PolicyStatement } from '../props/policy';

/** Renders statements as a policy document string that Terraform resolves (`jsonencode`). */
export function policyDocument(statements: PolicyStatement[]): string {
  return Fn.jsonencode(identityPolicy(statements));
}

/** The policy object, with a fixed key order and sorted actions so synth output is stable. */
function identityPolicy(statements: PolicyStatement[]): object {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions].sort(),
      Resource: s.resources.length === 1 ? s.resources[0] : s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  };
}

/** Trust policy that lets one AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/** What a function needs to read one DynamoDB stream through an event source mapping. */
export function streamReadStatements(streamArn: string): PolicyStatement[] {
  return [
    { sid: 'ReadStream', actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] },
    // AWS does not support resource-level permissions for ListStreams.
    { sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] },
  ];
}

/** kms permissions for a customer-managed key, or nothing when AWS-owned keys are used. */
export function kmsStatements(sid: string, keyArn: string | undefined, actions: string[]): PolicyStatement[] {
  return keyArn ? [{ sid, actions, resources: [keyArn] }] : [];
}

/** Who a resource policy statement applies to: everyone (`*`), AWS principals or service principals. */
export type PolicyPrincipal = '*' | { readonly AWS?: string | string[]; readonly Service?: string | string[] };

/** A statement of a resource policy (queue, topic or key policy): a statement plus its principal. */
export interface ResourcePolicyStatement extends PolicyStatement {
  readonly principal: PolicyPrincipal;
}

/**
 * Renders a resource policy as a JSON string in which Terraform resolves the embedded references
 * (`"${aws_sqs_queue.q.arn}"`). Unlike `policyDocument` the synthesized value is plain JSON, so
 * reviewers and tests read the exact statements that AWS will receive. Key order is fixed.
 */
export function resourcePolicyDocument(statements: ResourcePolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      Principal: s.principal,
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions].sort(),
      Resource: s.resources.length === 1 ? s.resources[0] : s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/**
 * Every action an SNS topic policy accepts ("Valid Amazon SNS policy actions",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html):
 * a TLS-only topic policy denies all of them without TLS, as `sqs:*` does for a queue.
 */
export const SNS_TOPIC_POLICY_ACTIONS = [
  'sns:AddPermission',
  'sns:DeleteTopic',
  'sns:GetDataProtectionPolicy',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'sns:ListTagsForResource',
  'sns:Publish',
  'sns:PutDataProtectionPolicy',
  'sns:RemovePermission',
  'sns:SetTopicAttributes',
  'sns:Subscribe',
];

/** Denies every request that does not use TLS (`aws:SecureTransport` false) on one resource. */
export function denyInsecureTransport(actions: string[], resourceArn: string): ResourcePolicyStatement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    principal: '*',
    actions,
    resources: [resourceArn],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * Renders an identity policy (a role's own policy) as plain JSON in which Terraform resolves the
 * embedded references (`"${aws_dynamodb_table.t.stream_arn}"`), like `resourcePolicyDocument`:
 * the synthesized value shows reviewers and tests the exact statements. Key order is fixed.
 */
export function identityPolicyJson(statements: PolicyStatement[]): string {
  return JSON.stringify(identityPolicy(statements));
}
