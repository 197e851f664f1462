import { Fn, TerraformLocal, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { FAILURE_OBJECT_PREFIX } from './failure-bucket';
import { denyInsecureTransport, resourcePolicyDocument } from './iam';

export interface FailureNotificationsProps {
  /** The failure bucket whose new objects are announced. */
  readonly bucketArn: string;
  readonly bucketName: string;
  readonly queueName: string;
  readonly visibilityTimeoutSeconds: number;
  /** Where a notification that keeps failing goes, as it is. */
  readonly deadLetterArn: string;
  readonly maxReceiveCount: number;
  readonly tags?: Record<string, string>;
  readonly provider?: TerraformProvider;
}

/**
 * The queue that tells a redrive about new failure records in an S3 on-failure bucket: S3 event
 * notifications (`s3:ObjectCreated:*` under `aws/lambda/`) into an SSE-SQS queue that only S3,
 * for this bucket and account, may send to (and only over TLS). A notification that keeps failing
 * goes to the parked queue as it is, like a failure-queue message.
 */
export class FailureNotifications extends Construct {
  readonly queue: SqsQueue;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly queueName: string;
  readonly notification: S3BucketNotification;

  constructor(scope: Construct, id: string, props: FailureNotificationsProps) {
    super(scope, id);
    const provider = props.provider;
    this.queue = new SqsQueue(this, 'Queue', {
      provider,
      name: props.queueName,
      messageRetentionSeconds: 1209600,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: props.deadLetterArn, maxReceiveCount: props.maxReceiveCount }),
      tags: props.tags,
    });
    this.queueArn = this.queue.arn;
    this.queueUrl = this.queue.url;
    this.queueName = props.queueName;
    // The queue's own ARN carries the account id: no data source, so no AWS call at plan time. A
    // local keeps the policy plain JSON (a function call inline would put quotes inside it).
    const account = new TerraformLocal(this, 'Account', Fn.element(Fn.split(':', this.queue.arn), 4)).asString;
    const policy = new SqsQueuePolicy(this, 'Policy', {
      provider,
      queueUrl: this.queue.url,
      policy: resourcePolicyDocument([
        denyInsecureTransport(['sqs:*'], this.queue.arn),
        {
          sid: 'AllowFailureBucketNotifications',
          principal: { Service: 's3.amazonaws.com' },
          actions: ['sqs:SendMessage'],
          resources: [this.queue.arn],
          conditions: { ArnEquals: { 'aws:SourceArn': props.bucketArn }, StringEquals: { 'aws:SourceAccount': account } },
        },
      ]),
    });
    this.notification = new S3BucketNotification(this, 'BucketNotification', {
      provider,
      bucket: props.bucketName,
      queue: [{ queueArn: this.queue.arn, events: ['s3:ObjectCreated:*'], filterPrefix: FAILURE_OBJECT_PREFIX }],
      // S3 tests the destination when the notification is set: the queue policy must already allow it.
      dependsOn: [policy],
    });
  }
}
