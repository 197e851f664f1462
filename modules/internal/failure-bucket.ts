import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { FailureAccess } from './failure-access';

/**
 * Lambda writes the on-failure records of a stream mapping under this prefix
 * (`aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/...`, the Lambda guide, "Example Amazon S3
 * invocation record"): grants, lifecycle and notifications are scoped to it.
 */
export const FAILURE_OBJECT_PREFIX = 'aws/lambda/';

export interface FailureBucketProps {
  /** Prefix of the generated bucket name (Terraform adds a unique suffix; bucket names are global). */
  readonly bucketPrefix: string;
  readonly expirationDays: number;
  readonly kmsKeyArn?: string;
  /** Principals (besides the redrive, which registers itself) that may read failure objects. */
  readonly readerArns?: string[];
  readonly tags?: Record<string, string>;
  readonly provider?: TerraformProvider;
}

/**
 * The S3 bucket of an S3 on-failure destination: encrypted (SSE-S3, or SSE-KMS with a bucket key
 * when a customer-managed key is given), every public access blocked, ACLs disabled (bucket owner
 * enforced), a policy that denies requests without TLS and lets only the registered roles write
 * and read failure objects (`access`), and failure records expiring after `expirationDays`
 * (incomplete multipart uploads after one day).
 */
export class FailureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketArn: string;
  readonly bucketName: string;
  /** Who may put and get failure objects; the bucket policy is rendered from it at synth. */
  readonly access: FailureAccess;

  constructor(scope: Construct, id: string, props: FailureBucketProps) {
    super(scope, id);
    const provider = props.provider;
    this.bucket = new S3Bucket(this, 'Bucket', { provider, bucketPrefix: props.bucketPrefix, tags: props.tags });
    this.bucketArn = this.bucket.arn;
    this.bucketName = this.bucket.bucket;
    this.access = new FailureAccess('s3', this.bucketArn, props.readerArns);
    const bucket = this.bucket.id;
    const publicAccess = new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'Ownership', { provider, bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      provider,
      bucket,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      provider,
      bucket,
      rule: [
        {
          id: 'expire-failure-records',
          status: 'Enabled',
          filter: [{ prefix: FAILURE_OBJECT_PREFIX }],
          expiration: [{ days: props.expirationDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });
    new S3BucketPolicy(this, 'TlsOnly', {
      provider,
      bucket,
      policy: this.access.policy(),
      // S3 rejects a bucket policy while the public access block is being changed.
      dependsOn: [publicAccess],
    });
  }
}
