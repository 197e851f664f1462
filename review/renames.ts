/**
 * A destroy and a create of the same type with the same identifying name (table name, function
 * name, queue name...) is almost always a renamed construct id: cdktf derives the Terraform
 * address from the id, so Terraform sees a new resource. As planned the two collide on the name;
 * a `moved` block (or cdktf's `moveFromId`) turns the pair into a no-op.
 */
import { ChangeSet, ResourceChange, UNKNOWN } from './changes';
import type { Finding } from './findings';
import { code } from './format';

/** The argument that names the AWS object, per resource type. */
const NAME_ARGUMENT: Readonly<Record<string, string>> = {
  aws_dynamodb_table: 'name',
  aws_dynamodb_global_table: 'name',
  aws_lambda_function: 'function_name',
  aws_sqs_queue: 'name',
  aws_sns_topic: 'name',
  aws_kinesis_stream: 'name',
  aws_iam_role: 'name',
  aws_iam_policy: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_cloudwatch_metric_alarm: 'alarm_name',
  aws_cloudwatch_dashboard: 'dashboard_name',
  aws_s3_bucket: 'bucket',
  aws_kms_alias: 'name',
  aws_secretsmanager_secret: 'name',
  aws_ssm_parameter: 'name',
};

/**
 * What the create does while the old object still exists. Most create APIs refuse the name; a few
 * are idempotent (CreateQueue with the same attributes, CreateTopic, PutMetricAlarm, PutDashboard,
 * PutParameter is not: it refuses without overwrite), so the new resource adopts the old object and
 * the destroy then deletes it from under it.
 */
const ADOPTS_EXISTING = new Set(['aws_sqs_queue', 'aws_sns_topic', 'aws_cloudwatch_metric_alarm', 'aws_cloudwatch_dashboard']);

const NOUN: Readonly<Record<string, string>> = {
  aws_dynamodb_table: 'table',
  aws_dynamodb_global_table: 'global table',
  aws_lambda_function: 'function',
  aws_sqs_queue: 'queue',
  aws_sns_topic: 'topic',
  aws_kinesis_stream: 'stream',
  aws_iam_role: 'role',
  aws_iam_policy: 'policy',
  aws_cloudwatch_log_group: 'log group',
  aws_cloudwatch_metric_alarm: 'alarm',
  aws_cloudwatch_dashboard: 'dashboard',
  aws_s3_bucket: 'bucket',
  aws_kms_alias: 'alias',
  aws_secretsmanager_secret: 'secret',
  aws_ssm_parameter: 'parameter',
};

/** What is lost when the destroy wins: said for the types that hold data. */
const DATA: Readonly<Record<string, string>> = {
  aws_dynamodb_table: 'its items',
  aws_dynamodb_global_table: 'its items',
  aws_sqs_queue: 'its messages',
  aws_kinesis_stream: 'its records',
  aws_s3_bucket: 'its objects',
  aws_cloudwatch_log_group: 'its logs',
  aws_secretsmanager_secret: 'its secret value',
};

export function renameFindings(set: ChangeSet): Finding[] {
  const out: Finding[] = [];
  const nameOf = (c: ResourceChange, side: 'before' | 'after') => {
    const v = c[side]?.[NAME_ARGUMENT[c.type]];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const creates = set.changes.filter((c) => c.action === 'create' && NAME_ARGUMENT[c.type]);
  const used = new Set<ResourceChange>();
  for (const gone of set.changes.filter((c) => c.action === 'delete' && NAME_ARGUMENT[c.type])) {
    const name = nameOf(gone, 'before');
    const born = creates.find((c) => !used.has(c) && c.stack === gone.stack && c.type === gone.type && nameOf(c, 'after') === name);
    if (!name || !born || born.after?.[NAME_ARGUMENT[born.type]] === UNKNOWN) continue;
    used.add(born);
    out.push(finding(set.source, gone, born, name));
  }
  return out;
}

function finding(source: ChangeSet['source'], gone: ResourceChange, born: ResourceChange, name: string): Finding {
  const noun = NOUN[gone.type] ?? 'object';
  const lost = DATA[gone.type] ? ` with ${DATA[gone.type]}` : '';
  const collision = ADOPTS_EXISTING.has(gone.type)
    ? `the create adopts the existing ${noun} ${code(name)} (same name), then the destroy of ${code(gone.address)} deletes it${lost}, leaving ${code(born.address)} pointing at nothing`
    : `the create collides with the ${noun} ${code(name)} that still exists (the apply fails), and the destroy deletes it${lost}`;
  const text =
    `${code(gone.address)} is destroyed and ${code(born.address)} created with the same ${noun} name ${code(name)}: almost certainly a renamed construct id, not a new ${noun}. ` +
    `As planned, ${collision}. Declaring the move makes both a no-op${source === 'synth diff' ? '' : ` (cdktf: ${code(`.moveFromId(${JSON.stringify(gone.address)})`)} on the new resource)`}:`;
  const fix: Finding['fix'] =
    source === 'synth diff'
      ? {
          language: 'ts',
          code: `// on the resource now at ${born.constructPath ?? born.address}\n<resource>.moveFromId(${JSON.stringify(gone.address)});`,
        }
      : { language: 'hcl', code: `moved {\n  from = ${gone.address}\n  to   = ${born.address}\n}` };
  return { kind: 'rename', severity: 'alert', stack: born.stack, address: born.address, label: 'RENAMED, NOT MOVED', text, fix };
}
