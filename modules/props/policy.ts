/** IAM statements as the constructs grant them, and what an on-failure destination offers a consumer. */

/**
 * One IAM policy statement. Resources are exact ARNs (tokens allowed); the only wildcard resource
 * the library ever emits is `dynamodb:ListStreams`, which AWS does not scope to a resource.
 */
export interface PolicyStatement {
  /** Statement id, unique in its policy. @default none */
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** IAM actions, e.g. `dynamodb:PutItem`; `*` is refused. */
  readonly actions: string[];
  /** Exact resource ARNs. */
  readonly resources: string[];
  /** IAM condition block: operator, then key and value(s). @default none */
  readonly conditions?: Record<string, Record<string, string | string[]>>;
}

/**
 * Anything that can be an event source mapping's on-failure destination: an SQS queue or SNS
 * topic ARN, plus the statements the consumer's role needs to deliver to it.
 */
export interface OnFailureTarget {
  /** ARN the mapping's destination config names. */
  readonly destinationArn: string;
  /** What the sender's role needs to deliver there. */
  readonly sendStatements: PolicyStatement[];
  /** Told the role that sends failure records (the consumer's), so the destination can deny everyone else. @default not called */
  addSender?(roleArn: string): void;
}

/** The DynamoDB item actions a function can be granted one by one (StreamConsumer.grantItemActions). */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

/** One DynamoDB item action (`dynamodb:UpdateItem`, ...): see TABLE_ITEM_ACTIONS. */
export type TableItemAction = (typeof TABLE_ITEM_ACTIONS)[number];
