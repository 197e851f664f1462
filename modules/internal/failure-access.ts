import { Lazy } from 'cdktf';
import { denyInsecureTransport, ResourcePolicyStatement, resourcePolicyDocument } from './iam';

/**
 * Who may write and read the failure records of one destination. Failure records are sensitive
 * (an S3 object holds the whole failed batch) and a redrive re-invokes the consumer with what it
 * reads, so a forged record is an injection. IAM grants alone let any principal of the account
 * whose policies allow s3:PutObject or sqs:SendMessage write here; the resource policy denies
 * every principal but the registered roles (`aws:PrincipalArn`, the role of an assumed-role
 * session): Lambda writes on-failure records with the consumer function's execution role, and the
 * redrive reads with its own.
 *
 * A side with no registered role stays as IAM grants it (nothing to name yet, and denying
 * everyone would break a consumer or reader built outside this library).
 *
 * On a queue the write deny applies only to requests made by an IAM principal (`Null
 * aws:PrincipalArn = false`). A queue can also be a dead-letter queue (a redrive's parked queue),
 * into which SQS itself moves messages after `maxReceiveCount`. The SQS guide describes that move
 * as governed by the source queue's redrive policy and the dead-letter queue's redrive allow
 * policy (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html,
 * "Using policies for dead-letter queues"), and does not say whether the dead-letter queue's
 * access policy is evaluated for it; were it evaluated, such a request would carry no
 * aws:PrincipalArn, and an `ArnNotEquals` on an absent key matches, so an unguarded deny would
 * drop exactly the messages that failed most. The guard costs nothing: a request without an IAM
 * principal (anonymous) has no Allow in this policy or anywhere else, so it is refused anyway.
 */
export class FailureAccess {
  private readonly writers: string[] = [];
  private readonly readers: string[];

  constructor(
    private readonly kind: 's3' | 'sqs',
    private readonly arn: string,
    extraReaders: string[] = [],
  ) {
    this.readers = [...extraReaders];
  }

  /** A role that sends failure records here (the consumer's execution role). */
  addWriter(roleArn: string): void {
    if (!this.writers.includes(roleArn)) this.writers.push(roleArn);
  }

  /** A role that reads failure records here (the redrive's role). */
  addReader(roleArn: string): void {
    if (!this.readers.includes(roleArn)) this.readers.push(roleArn);
  }

  /** The resource policy, rendered at synth so roles registered after construction are in it. */
  policy(): string {
    return Lazy.stringValue({ produce: () => resourcePolicyDocument(this.statements()) });
  }

  statements(): ResourcePolicyStatement[] {
    const s3 = this.kind === 's3';
    const objects = s3 ? `${this.arn}/*` : this.arn;
    const out: ResourcePolicyStatement[] = [
      s3 ? { ...denyInsecureTransport(['s3:*'], this.arn), resources: [this.arn, objects] } : denyInsecureTransport(['sqs:*'], this.arn),
    ];
    if (this.writers.length)
      out.push(
        onlyThese(
          'OnlyConsumersWriteFailures',
          s3 ? ['s3:PutObject'] : ['sqs:SendMessage'],
          objects,
          this.writers,
          s3 ? {} : IAM_PRINCIPALS,
        ),
      );
    if (this.readers.length)
      out.push(
        onlyThese(
          'OnlyRedriveReadsFailures',
          s3 ? ['s3:GetObject'] : ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage'],
          objects,
          this.readers,
        ),
      );
    return out;
  }
}

/** Requests made by an IAM principal (a role session, a user, the account root): they carry aws:PrincipalArn. */
const IAM_PRINCIPALS = { Null: { 'aws:PrincipalArn': 'false' } };

/** Denies `actions` to every principal whose ARN is not one of `principals`. */
function onlyThese(
  sid: string,
  actions: string[],
  resource: string,
  principals: string[],
  also: Record<string, Record<string, string>> = {},
): ResourcePolicyStatement {
  return {
    sid,
    effect: 'Deny',
    principal: '*',
    actions,
    resources: [resource],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...principals] }, ...also },
  };
}
