import { Fn } from 'cdktf';

/**
 * One IAM policy statement. Resources are exact ARNs (tokens allowed); the only wildcard resource
 * the library ever emits is `dynamodb:ListStreams`, which AWS does not scope to a resource.
 */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, string | string[]>>;
}

/** Renders statements as a policy document string that Terraform resolves (`jsonencode`). */
export function policyDocument(statements: PolicyStatement[]): string {
  return Fn.jsonencode({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      Action: s.actions.length === 1 ? s.actions[0] : [...s.actions].sort(),
      Resource: s.resources.length === 1 ? s.resources[0] : s.resources,
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
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

/**
 * Anything that can be an event source mapping's on-failure destination: an SQS queue or SNS
 * topic ARN, plus the statements the consumer's role needs to deliver to it.
 */
export interface OnFailureTarget {
  readonly destinationArn: string;
  readonly sendStatements: PolicyStatement[];
}
