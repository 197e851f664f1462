/**
 * Stand-ins for what Terraform would know after applying a stack in AWS: the values of the
 * references in function environments and mapping settings (`${aws_sqs_queue.Failures.url}`),
 * in the local account 000000000000. Tables are the ones applied into DynamoDB Local (their real
 * local ARNs); queues, and buckets as on-failure destinations, are on the local sink; names and
 * ARNs of the rest follow AWS's formats.
 * A reference with no local stand-in is refused with where it was found.
 */
import { LOCAL_ACCOUNT_ID } from '../sink';
import { referencesIn, regionOf, resourceOf, SynthesizedStack } from './stack';

/** What DynamoDB Local says about an applied table. */
export interface LocalTable {
  readonly name: string;
  readonly region: string;
  readonly arn: string;
  readonly streamArn?: string;
}

export interface LocalAccountOptions {
  readonly stack: SynthesizedStack;
  /** Applied tables by logical id. */
  readonly tables: Readonly<Record<string, LocalTable>>;
  /** URL of a queue (by name) on the local sink. */
  queueUrl(name: string): string;
}

export class LocalAccount {
  constructor(private readonly options: LocalAccountOptions) {}

  /** Replaces every reference in `value`; `where` says what holds it, for errors. */
  resolve(value: string, where: string): string {
    let out = value;
    for (const ref of referencesIn(value)) out = out.replace(ref.text, this.attribute(ref.type, ref.id, ref.attribute, where));
    if (/\$\{/.test(out)) throw new Error(`${where}: ${JSON.stringify(value)} holds an expression that cannot be evaluated locally`);
    return out;
  }

  private attribute(type: string, id: string, attribute: string, where: string): string {
    const { stack } = this.options;
    const refuse = (): never => {
      throw new Error(`${where}: \${${type}.${id}.${attribute}} has no local stand-in`);
    };
    if (type === 'aws_dynamodb_table') {
      const t = this.options.tables[id] ?? refuse();
      return (
        ({ name: t.name, id: t.name, arn: t.arn, stream_arn: t.streamArn } as Record<string, string | undefined>)[attribute] ?? refuse()
      );
    }
    const r = resourceOf(stack, type, id);
    // Buckets are named by `bucket` (or by AWS after `bucket_prefix`: a fixed local suffix stands in
    // for the unique one), and their ARNs name no region or account.
    if (type === 'aws_s3_bucket') {
      const bucket = typeof r.bucket === 'string' ? r.bucket : typeof r.bucket_prefix === 'string' ? `${r.bucket_prefix}local` : refuse();
      return ({ bucket, id: bucket, arn: `arn:aws:s3:::${bucket}` } as Record<string, string>)[attribute] ?? refuse();
    }
    const region = regionOf(stack, r);
    const name = typeof r.name === 'string' ? r.name : typeof r.function_name === 'string' ? r.function_name : refuse();
    const arns: Record<string, Record<string, string>> = {
      aws_sqs_queue: {
        name,
        id: this.options.queueUrl(name),
        url: this.options.queueUrl(name),
        arn: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`,
      },
      aws_sns_topic: {
        name,
        id: `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${name}`,
        arn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${name}`,
      },
      aws_lambda_function: {
        function_name: name,
        id: name,
        arn: functionArn(region, name),
        qualified_arn: `${functionArn(region, name)}:$LATEST`,
        invoke_arn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn(region, name)}/invocations`,
      },
      aws_iam_role: { name, id: name, arn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${name}` },
      aws_cloudwatch_log_group: { name, id: name, arn: `arn:aws:logs:${region}:${LOCAL_ACCOUNT_ID}:log-group:${name}` },
    };
    return arns[type]?.[attribute] ?? refuse();
  }
}

export function functionArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}
