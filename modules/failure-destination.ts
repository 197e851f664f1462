import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { FailureAccess } from './internal/failure-access';
import { FAILURE_OBJECT_PREFIX, FailureBucket } from './internal/failure-bucket';
import { denyInsecureTransport, kmsStatements, resourcePolicyDocument, SNS_TOPIC_POLICY_ACTIONS } from './internal/iam';
import { LIMITS } from './internal/limits';
import { physicalName } from './internal/naming';
import { PropsValidator } from './internal/validation';
import type { OnFailureTarget, PolicyStatement } from './props/policy';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/**
 * Where an event source mapping reports batches it gave up on: an SQS queue or SNS topic (the
 * batch's coordinates only), or an S3 bucket (the coordinates and the whole batch).
 */
export type FailureDestinationKind = 'sqs' | 'sns' | 's3';

/** The AWS-managed key SNS uses when no customer-managed key is given. */
export const SNS_AWS_MANAGED_KEY = 'alias/aws/sns';

/** Props of {@link FailureDestination}. */
export interface FailureDestinationProps {
  /**
   * An SQS queue (kept 14 days, read by a redrive function or a person), an SNS topic (fans the
   * failure out to subscribers, keeps nothing), or an S3 bucket: Lambda writes the whole failed
   * batch there (since November 2024, for DynamoDB and Kinesis streams), so nothing depends on
   * the stream's retention any more.
   * @default 'sqs'
   */
  readonly kind?: FailureDestinationKind;
  /**
   * Queue name (1..80 characters of [0-9A-Za-z_-]) or topic name (1..256 characters of
   * [0-9A-Za-z_-]). Names ending in `.fifo` are refused: see `fifo`. For an S3 bucket, the
   * prefix of its name (1..37 characters of [a-z0-9-]; Terraform appends a unique suffix).
   * @default derived from the construct path (cut with a hash suffix when too long)
   */
  readonly name?: string;
  /**
   * Must stay false: AWS accepts only standard (non-FIFO) queues and topics as an event source
   * mapping's on-failure destination. The prop exists so the refusal can say so.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * ARN of a customer-managed KMS key that encrypts the queue or topic. The consumer's role then
   * also gets kms:Decrypt and kms:GenerateDataKey on this key (the key policy must allow the
   * account's IAM policies, as the default key policy does).
   * For S3 the bucket uses SSE-KMS with a bucket key, and the consumer gets kms:GenerateDataKey.
   * @default SQS: SQS-managed server-side encryption (SSE-SQS); SNS: the AWS-managed key `alias/aws/sns`; S3: SSE-S3 (AES-256)
   */
  readonly kmsKeyArn?: string;
  /** S3 only. Days a failure record is kept before S3 expires it, 1..3650. @default 14 */
  readonly expirationDays?: number;
  /**
   * SQS only. How long a failure record stays in the queue, in seconds: 60..1209600. The maximum
   * gives the most time to redrive, but the stream itself keeps records only 24 hours.
   * @default 1209600 (14 days)
   */
  readonly messageRetentionSeconds?: number;
  /**
   * SQS only. Seconds a received message stays hidden from other consumers: 0..43200. A redrive
   * function reading this queue needs at least its own timeout here (AWS recommends 6 times).
   * @default 30
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * SQS with `kmsKeyArn` only. Seconds SQS reuses a data key before calling KMS again: 60..86400.
   * @default 300
   */
  readonly kmsDataKeyReusePeriodSeconds?: number;
  /**
   * SQS and S3. ARNs of IAM roles or users that may also read the failure records (an on-call
   * role, say). Once a reader is known (this list, or a FailureRedrive, which registers its role),
   * the queue or bucket policy denies reads to every other principal; writes are denied to every
   * principal but the consumers' execution roles, which register themselves.
   * @default none: only the redrive reads, when there is one; without one, IAM grants decide
   */
  readonly readerArns?: string[];
  /** Tags for the queue or topic. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region) to create the destination with, for multi-region stacks. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** IAM grants on a key need its key ARN; an alias ARN or a bare key id grants nothing. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9A-Za-z-]+$/;

/** What aws:PrincipalArn holds for a role session or an IAM user. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/;

/** Options that only make sense for an SQS queue. */
const SQS_ONLY = ['messageRetentionSeconds', 'visibilityTimeoutSeconds', 'kmsDataKeyReusePeriodSeconds'] as const;

const KIND_NAMES: Record<FailureDestinationKind, string> = { sqs: 'an SQS queue', sns: 'an SNS topic', s3: 'an S3 bucket' };

/**
 * An encrypted, TLS-only SQS queue (default), SNS topic or S3 bucket that receives the on-failure records of
 * a stream consumer's event source mapping. Implements `OnFailureTarget`: the consumer puts
 * `destinationArn` in its mapping and adds `sendStatements` to its role.
 */
export class FailureDestination extends Construct implements OnFailureTarget {
  /** Which service receives the failed batches: `sqs`, `sns` or `s3`. */
  readonly kind: FailureDestinationKind;
  /** ARN the event source mapping's on-failure destination names (queue, topic or bucket). */
  readonly destinationArn: string;
  /** What a sender's role needs to deliver here (send, publish or put, and the key). */
  readonly sendStatements: PolicyStatement[];
  /** The customer-managed key, when one was given. */
  readonly kmsKeyArn?: string;
  /** The SQS queue (kind `sqs`). */
  readonly queue?: SqsQueue;
  /** URL of the SQS queue (kind `sqs`). */
  readonly queueUrl?: string;
  /** ARN of the SQS queue (kind `sqs`). */
  readonly queueArn?: string;
  /** Name of the SQS queue (kind `sqs`): the QueueName dimension of its metrics. */
  readonly queueName?: string;
  /** The queue policy: denies requests without TLS, and data access to every principal but the registered senders and readers (kind `sqs`). */
  readonly queuePolicy?: SqsQueuePolicy;
  /** The SNS topic (kind `sns`). */
  readonly topic?: SnsTopic;
  /** Denies every topic action made without TLS, as the queue's policy does. */
  readonly topicPolicy?: SnsTopicPolicy;
  /** ARN of the SNS topic (kind `sns`). */
  readonly topicArn?: string;
  /** Name of the SNS topic (kind `sns`): the TopicName dimension of its metrics. */
  readonly topicName?: string;
  /** The S3 bucket (kind 's3'); its encryption, lifecycle, ownership, public-access and policy settings are resources beside it. */
  readonly bucket?: S3Bucket;
  /** ARN of the S3 bucket (kind `s3`). */
  readonly bucketArn?: string;
  /** Name of the S3 bucket (kind `s3`). */
  readonly bucketName?: string;
  /** The visibility timeout given in props (SQS); undefined when the default applies, which a redrive may raise. */
  readonly requestedVisibilityTimeoutSeconds?: number;
  /** SQS and S3: who may write and read the failure records (rendered into the queue or bucket policy). */
  private readonly access?: FailureAccess;

  constructor(scope: Construct, id: string, props: FailureDestinationProps = {}) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.FailureDestinationProps, props);
    this.kind = props.kind ?? 'sqs';
    this.kmsKeyArn = props.kmsKeyArn;
    validate(this, this.kind, props);
    const name =
      props.name ?? (this.kind === 's3' ? bucketPrefixOf(physicalName(this, 36)) : physicalName(this, this.kind === 'sqs' ? 80 : 256));
    const kms = kmsStatements('EncryptFailureRecords', props.kmsKeyArn, ['kms:Decrypt', 'kms:GenerateDataKey']);
    this.requestedVisibilityTimeoutSeconds = props.visibilityTimeoutSeconds;

    if (this.kind === 's3') {
      const failureBucket = new FailureBucket(this, 'Bucket', {
        bucketPrefix: name,
        expirationDays: props.expirationDays ?? 14,
        kmsKeyArn: props.kmsKeyArn,
        readerArns: props.readerArns,
        tags: props.tags,
        provider: props.provider,
      });
      this.access = failureBucket.access;
      this.bucket = failureBucket.bucket;
      this.bucketArn = failureBucket.bucketArn;
      this.bucketName = failureBucket.bucketName;
      this.destinationArn = this.bucketArn;
      // The Lambda guide: an S3 destination needs s3:PutObject and s3:ListBucket, and kms:GenerateDataKey with a customer key.
      this.sendStatements = [
        { sid: 'WriteFailureRecords', actions: ['s3:PutObject'], resources: [`${this.bucketArn}/${FAILURE_OBJECT_PREFIX}*`] },
        { sid: 'ListFailureBucket', actions: ['s3:ListBucket'], resources: [this.bucketArn] },
        ...kmsStatements('EncryptFailureRecords', props.kmsKeyArn, ['kms:GenerateDataKey']),
      ];
    } else if (this.kind === 'sqs') {
      const queue = new SqsQueue(this, 'Queue', {
        name,
        messageRetentionSeconds: props.messageRetentionSeconds ?? 1209600,
        visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 30,
        // kms_master_key_id and sqs_managed_sse_enabled conflict: set exactly one of them.
        ...(props.kmsKeyArn
          ? { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds: props.kmsDataKeyReusePeriodSeconds ?? 300 }
          : { sqsManagedSseEnabled: true }),
        tags: props.tags,
        provider: props.provider,
      });
      this.access = new FailureAccess('sqs', queue.arn, props.readerArns);
      this.queuePolicy = new SqsQueuePolicy(this, 'TlsOnly', {
        queueUrl: queue.url,
        policy: this.access.policy(),
        provider: props.provider,
      });
      this.queue = queue;
      this.queueUrl = queue.url;
      this.queueArn = queue.arn;
      this.queueName = name;
      this.destinationArn = this.queueArn;
      this.sendStatements = [{ sid: 'SendFailureRecords', actions: ['sqs:SendMessage'], resources: [this.queueArn] }, ...kms];
    } else {
      const topic = new SnsTopic(this, 'Topic', {
        name,
        kmsMasterKeyId: props.kmsKeyArn ?? SNS_AWS_MANAGED_KEY,
        tags: props.tags,
        provider: props.provider,
      });
      // Lambda publishes with the consumer's role (an IAM grant), so the policy needs no Allow.
      this.topicPolicy = new SnsTopicPolicy(this, 'TlsOnly', {
        arn: topic.arn,
        policy: resourcePolicyDocument([denyInsecureTransport(SNS_TOPIC_POLICY_ACTIONS, topic.arn)]),
        provider: props.provider,
      });
      this.topic = topic;
      this.topicArn = topic.arn;
      this.topicName = name;
      this.destinationArn = this.topicArn;
      this.sendStatements = [{ sid: 'PublishFailureRecords', actions: ['sns:Publish'], resources: [this.topicArn] }, ...kms];
    }
  }

  /**
   * Registers a role that sends failure records here (a consumer's execution role; StreamConsumer
   * calls it). SQS and S3: the policy then denies writes to every other principal. SNS: no effect
   * (its subscribers receive what is published; nothing is stored to read back).
   */
  addSender(roleArn: string): void {
    this.access?.addWriter(roleArn);
  }

  /** Registers a role that reads failure records (FailureRedrive calls it): reads are then denied to every other principal. */
  addReader(roleArn: string): void {
    this.access?.addReader(roleArn);
  }
}

function validate(scope: Construct, kind: FailureDestinationKind, props: FailureDestinationProps): void {
  const v = new PropsValidator(scope);
  const fifoWhy = 'AWS accepts only standard queues and topics as an on-failure destination of an event source mapping';
  v.oneOf('kind', kind, ['sqs', 'sns', 's3'] as const);
  if (props.fifo) v.fail('fifo', props.fifo, 'false', fifoWhy);
  if (props.name !== undefined && /\.fifo$/.test(props.name)) {
    v.fail('name', props.name, 'a name without the .fifo suffix', fifoWhy);
  } else if (kind === 'sqs') {
    v.matches('name', props.name, LIMITS.sqsName.pattern, `${LIMITS.sqsName.described} for an SQS queue`);
  } else if (kind === 'sns') {
    v.matches('name', props.name, LIMITS.snsName.pattern, `${LIMITS.snsName.described} for an SNS topic`);
  } else if (kind === 's3') {
    v.matches(
      'name',
      props.name,
      /^[a-z0-9][a-z0-9-]{0,36}$/,
      '1..37 characters of [a-z0-9-] starting with a letter or digit',
      'the prefix of a bucket name; Terraform appends 26 unique characters',
    );
  }
  if (kind === 's3') v.integer('expirationDays', props.expirationDays, 1, 3650);
  else if (props.expirationDays !== undefined)
    v.fail(
      'expirationDays',
      props.expirationDays,
      'unset',
      `it expires objects of an S3 bucket and this destination is ${KIND_NAMES[kind]}`,
    );
  if (kind !== 'sqs') {
    for (const prop of SQS_ONLY) {
      if (props[prop] !== undefined)
        v.fail(prop, props[prop], 'unset', `it configures an SQS queue and this destination is ${KIND_NAMES[kind]}`);
    }
  } else {
    v.integer('messageRetentionSeconds', props.messageRetentionSeconds, ...LIMITS.sqsRetentionSeconds);
    v.integer('visibilityTimeoutSeconds', props.visibilityTimeoutSeconds, ...LIMITS.sqsVisibilityTimeoutSeconds);
    v.integer('kmsDataKeyReusePeriodSeconds', props.kmsDataKeyReusePeriodSeconds, ...LIMITS.sqsKmsDataKeyReuseSeconds);
    if (props.kmsDataKeyReusePeriodSeconds !== undefined && !props.kmsKeyArn) {
      v.fail(
        'kmsDataKeyReusePeriodSeconds',
        props.kmsDataKeyReusePeriodSeconds,
        'unset',
        'it only applies with a customer-managed kmsKeyArn; SSE-SQS manages its own keys',
      );
    }
  }
  if (kind === 'sns' && props.readerArns !== undefined)
    v.fail('readerArns', props.readerArns, 'unset', 'an SNS topic keeps nothing to read; its subscribers receive what is published');
  for (const [i, arn] of (props.readerArns ?? []).entries())
    v.matches(
      `readerArns[${i}]`,
      arn,
      PRINCIPAL_ARN,
      'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)',
      'the policy compares aws:PrincipalArn with it',
    );
  v.matches(
    'kmsKeyArn',
    props.kmsKeyArn,
    KMS_KEY_ARN,
    'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    'the consumer role is granted kms:Decrypt and kms:GenerateDataKey on it, and IAM needs the key ARN, not an id or alias',
  );
  v.throwIfInvalid();
}

/** Bucket names are lower case: a derived name keeps [a-z0-9-] and starts with a letter or digit. */
function bucketPrefixOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+/, '')
      .slice(0, 37) || 'failures'
  );
}
