/**
 * AWS and provider limits, in one place so that validation, docs and tests quote the same
 * numbers. docs/limits.md gives the source of each.
 */
import type { AlarmComparison, AlarmStatistic, TreatMissingData } from '../props/alarm-settings';
import { LOG_RETENTION_DAYS } from '../props/function';

export const LIMITS = {
  tableName: { pattern: /^[a-zA-Z0-9_.-]{3,255}$/, described: '3..255 characters of [a-zA-Z0-9_.-]' },
  functionName: { pattern: /^[0-9A-Za-z_-]{1,64}$/, described: '1..64 characters of [0-9A-Za-z_-]' },
  roleName: { pattern: /^[\w+=,.@-]{1,64}$/, described: '1..64 characters of [A-Za-z0-9_+=,.@-]' },
  sqsName: { pattern: /^[0-9A-Za-z_-]{1,80}$/, described: '1..80 characters of [0-9A-Za-z_-]' },
  snsName: { pattern: /^[0-9A-Za-z_-]{1,256}$/, described: '1..256 characters of [0-9A-Za-z_-]' },
  dashboardName: { pattern: /^[0-9A-Za-z_-]{1,255}$/, described: '1..255 characters of [0-9A-Za-z_-]' },
  /** IAM matches KMS permissions on the key ARN; an alias ARN or a key id in a policy grants nothing. */
  kmsKeyArn: {
    pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9A-Za-z-]+$/,
    described: 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    why: 'readers are granted kms:Decrypt on it, and IAM needs the key ARN, not an id or alias',
  },
  /** How long a DynamoDB stream keeps a record (fixed by DynamoDB). */
  dynamodbStreamRetentionSeconds: 86400,
  batchSize: [1, 10000],
  batchingWindowSeconds: [0, 300],
  parallelizationFactor: [1, 10],
  retryAttempts: [0, 10000],
  recordAgeSeconds: [60, 604800],
  tumblingWindowSeconds: [0, 900],
  filters: 10,
  filterPatternChars: 4096,
  memoryMb: [128, 10240],
  timeoutSeconds: [1, 900],
  sqsRetentionSeconds: [60, 1209600],
  sqsVisibilityTimeoutSeconds: [0, 43200],
  pitrDays: [1, 35],
  /** More readers than this on one DynamoDB stream get LimitExceededException. */
  readersPerStream: 2,
  logRetentionDays: LOG_RETENTION_DAYS,
  alarmPeriods: 'period must be 10, 20, 30 or a multiple of 60 seconds',
  /** Shorter alarm periods: period x evaluation periods must stay within one day. */
  alarmShortPeriodWindowSeconds: 86400,
  /** Any alarm: period x evaluation periods must stay within seven days. */
  alarmLongPeriodWindowSeconds: 604800,
  alarmActions: 5,
  alarmNameChars: 255,
  alarmStatistics: ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] satisfies AlarmStatistic[],
  /** The anomaly-band operators need a threshold metric id, which the library does not build. */
  alarmComparisons: [
    'GreaterThanThreshold',
    'GreaterThanOrEqualToThreshold',
    'LessThanThreshold',
    'LessThanOrEqualToThreshold',
  ] satisfies AlarmComparison[],
  alarmTreatMissingData: ['missing', 'ignore', 'breaching', 'notBreaching'] satisfies TreatMissingData[],
  sqsKmsDataKeyReuseSeconds: [60, 86400],
  /** Tables: secondary indexes per table (AWS default quotas) and attribute name length. */
  globalSecondaryIndexes: 20,
  localSecondaryIndexes: 5,
  indexName: { pattern: /^[a-zA-Z0-9_.-]{3,255}$/, described: '3..255 characters of [a-zA-Z0-9_.-]' },
  attributeNameChars: [1, 255],
  /** Lambda function arguments not covered above. */
  handlerChars: [1, 128],
  reservedConcurrencyMin: -1,
  lambdaAliasName: { pattern: /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/, described: '1..128 characters of [a-zA-Z0-9_-], not only digits' },
  /**
   * Runtimes that AWS still lets you create functions with AND that hashicorp/aws 5.100 accepts
   * (checked with `terraform validate`: nodejs24.x, python3.14 and java25 are rejected by 5.100).
   */
  lambdaRuntimes: [
    'nodejs18.x',
    'nodejs20.x',
    'nodejs22.x',
    'python3.9',
    'python3.10',
    'python3.11',
    'python3.12',
    'python3.13',
    'java11',
    'java17',
    'java21',
    'dotnet8',
    'ruby3.2',
    'ruby3.3',
    'ruby3.4',
    'provided.al2',
    'provided.al2023',
  ],
  /**
   * Runtimes that newer providers accept, with the first hashicorp/aws that does (its runtime
   * enum comes from aws-sdk-go-v2; nodejs24.x arrived with the 2025-10-23 SDK, in 6.19.0).
   */
  lambdaRuntimesSince: [{ runtime: 'nodejs24.x', aws: '6.19.0' }],
} as const;
