import type { TerraformProvider } from 'cdktf';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { Construct } from 'constructs';
import { assumeRolePolicy, identityPolicyJson } from '../internal/iam';
import { bindCode } from '../internal/lambda-code';
import { libraryHandlerCode } from '../internal/library-handler';
import { physicalName } from '../internal/naming';
import type { PolicyStatement } from '../props/policy';
import { DRAINER_DEFAULTS } from './internal/drainer-options';
import type { BacklogDrainerOptions } from './props';

/** A target as the drainer's role needs it. */
export interface BacklogTarget {
  readonly tableArn: string;
  readonly encryptionKeyArn?: string;
  readonly roleArn?: string;
}

/** The replicated table's deletionProtection and preventDestroy, which the writer's own tables follow. */
export interface TableProtection {
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default true */
  readonly preventDestroy?: boolean;
}

export interface ReplicaBacklogProps {
  readonly provider?: TerraformProvider;
  /** CMK of the source table: the backlog holds copies of its items, so it gets the same key. */
  readonly encryptionKeyArn?: string;
  /** The replicated table in this region: the drainer reads an entry's current item there before applying it. */
  readonly sourceTableArn: string;
  readonly targets: BacklogTarget[];
  /** Builds the drainer's environment from the backlog table's name (the writer's own variables). */
  readonly environment: (backlogTableName: string) => Record<string, string>;
  /** The drainer's schedule, timeout, memory and reserved concurrency (ReplicaWriterOptions.drainer). */
  readonly drainer?: BacklogDrainerOptions;
  readonly logRetentionDays?: number;
  readonly architecture?: 'arm64' | 'x86_64';
  readonly protection?: TableProtection;
  readonly tags?: Record<string, string>;
}

/**
 * A writer's per-target backlog (docs/replication-protocol.md, "Targets that fail"): the table in
 * the source region where the writer keeps the copies a failing target still needs, and the
 * drainer (handlers/replicate/drain-backlog.ts) that a schedule runs (every minute by default) to apply them
 * and to publish each target's backlog depth and age. Holds data no other place has while a target is
 * down, hence encrypted, backed up (PITR) and protected from deletion.
 */
export class ReplicaBacklog extends Construct {
  readonly table: DynamodbTable;
  readonly tableName: string;
  readonly functionName: string;
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly schedule: CloudwatchEventRule;
  /** Minutes between drainer runs (the period of the backlog and target-failing alarms). */
  readonly intervalMinutes: number;
  /** The drainer role's statements, exactly as synthesized. */
  readonly policyStatements: PolicyStatement[];
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: ReplicaBacklogProps) {
    super(scope, id);
    const { provider, tags } = props;
    const d = { ...DRAINER_DEFAULTS, ...props.drainer };
    this.intervalMinutes = d.intervalMinutes;
    this.tableName = physicalName(this, 255);
    this.table = new DynamodbTable(this, 'Table', {
      provider,
      name: this.tableName,
      billingMode: 'PAY_PER_REQUEST',
      // The contract of handlers/replicate/backlog.ts: partition key `t` (target), sort key `k` (key hash).
      hashKey: 't',
      rangeKey: 'k',
      attribute: [
        { name: 't', type: 'S' },
        { name: 'k', type: 'S' },
      ],
      serverSideEncryption: props.encryptionKeyArn ? { enabled: true, kmsKeyArn: props.encryptionKeyArn } : { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: props.protection?.deletionProtection ?? true,
      lifecycle: (props.protection?.preventDestroy ?? true) ? { preventDestroy: true } : undefined,
      tags,
    });

    this.functionName = physicalName(this, 64, '-drain');
    this.logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      provider,
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
      tags,
    });
    this.role = new IamRole(this, 'Role', {
      provider,
      name: physicalName(this, 64, '-drain-role'),
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
      tags,
    });
    this.policyStatements = [
      ...drainerStatements(this.table.arn, props),
      { sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
    ];
    const policy = new IamRolePolicy(this, 'Policy', {
      provider,
      name: 'backlog-drainer',
      role: this.role.name,
      policy: identityPolicyJson(this.policyStatements),
    });
    this.environment = props.environment(this.tableName);
    const code = bindCode(this, 'Code', libraryHandlerCode('drain-backlog'), 'node22');
    this.function = new LambdaFunction(this, 'Function', {
      provider,
      functionName: this.functionName,
      description: `Applies the backlog ${this.tableName} to the targets it holds copies for, every ${every(d.intervalMinutes)}`,
      role: this.role.arn,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      architectures: [props.architecture ?? 'arm64'],
      memorySize: d.memorySize,
      // A run stops applying before its deadline; the next starts at the next interval.
      timeout: d.timeoutSeconds,
      // None by default (accounts with the default limit refuse it): two overlapping runs are
      // harmless, every apply and removal is conditional on the entry's version.
      reservedConcurrentExecutions: props.drainer?.reservedConcurrency,
      filename: code.filename,
      sourceCodeHash: code.hash,
      environment: { variables: this.environment },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name, applicationLogLevel: 'INFO', systemLogLevel: 'WARN' },
      tags,
      dependsOn: [this.logGroup, policy],
    });

    // A schedule, not the writer: a quiet source never invokes the writer, yet its backlog must drain.
    this.schedule = new CloudwatchEventRule(this, 'Schedule', {
      provider,
      name: physicalName(this, 64, '-drain'),
      description: `Runs ${this.functionName} every ${every(d.intervalMinutes)}`,
      scheduleExpression: d.intervalMinutes === 1 ? 'rate(1 minute)' : `rate(${d.intervalMinutes} minutes)`,
      tags,
    });
    new CloudwatchEventTarget(this, 'ScheduleTarget', { provider, rule: this.schedule.name, arn: this.function.arn });
    new LambdaPermission(this, 'ScheduleInvoke', {
      provider,
      statementId: 'AllowScheduleInvoke',
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: this.schedule.arn,
    });
  }
}

/**
 * Exactly the calls the drainer makes (test/handlers/grants-writer.test.ts records them): it pages
 * (Query), re-marks (UpdateItem) and removes (DeleteItem) backlog entries, reads the source's current
 * item for each entry (GetItem; an entry the source has moved past is dropped), and writes each
 * entry to its target (PutItem), directly or through the target's role.
 */
function drainerStatements(backlogArn: string, props: ReplicaBacklogProps): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    { sid: 'DrainBacklog', actions: ['dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], resources: [backlogArn] },
    { sid: 'ReadSource', actions: ['dynamodb:GetItem'], resources: [props.sourceTableArn] },
  ];
  if (props.encryptionKeyArn)
    statements.push({
      sid: 'EncryptBacklog',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [props.encryptionKeyArn],
    });
  statements.push(...targetWriteStatements(props.targets));
  return statements;
}

/** Conditional puts on each target: directly (with its key), or through the target's role in its account. */
export function targetWriteStatements(targets: BacklogTarget[]): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  const direct = targets.filter((t) => !t.roleArn);
  const assumed = targets.filter((t) => t.roleArn);
  if (direct.length) {
    statements.push({ sid: 'WriteReplicas', actions: ['dynamodb:PutItem'], resources: direct.map((t) => t.tableArn) });
    const keys = direct.map((t) => t.encryptionKeyArn).filter((k): k is string => !!k);
    if (keys.length)
      statements.push({ sid: 'EncryptReplicas', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: keys });
  }
  if (assumed.length)
    statements.push({ sid: 'AssumeReplicaRoles', actions: ['sts:AssumeRole'], resources: assumed.map((t) => t.roleArn!) });
  return statements;
}

function every(minutes: number): string {
  return minutes === 1 ? 'minute' : `${minutes} minutes`;
}
