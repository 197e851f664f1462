import { Fn, TerraformProvider, Token } from 'cdktf';
import { DataAwsDynamodbTable } from '@cdktf/provider-aws/lib/data-aws-dynamodb-table';
import type { Construct } from 'constructs';
import type { StreamTableAttributes, StreamTableLookupOptions, StreamViewType } from './stream-table';
import { StreamTableBase } from './stream-table-base';
import { checkKnownProps } from './internal/known-props';
import { LIMITS } from './internal/limits';
import { PROP_SHAPES } from './internal/prop-shapes';
import { PropsValidator } from './internal/validation';

const VIEW_TYPES: readonly StreamViewType[] = ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY'];
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:table\/([a-zA-Z0-9_.-]{3,255})$/;
/** A stream label is the stream's creation time, e.g. 2026-01-01T00:00:00.000. */
const STREAM_SUFFIX = /^\/stream\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;

/**
 * A table and its stream made elsewhere (another stack, Terraform outside cdktf, the console), as
 * consumers and grants need it. It keeps count of its stream readers in this stack like a
 * StreamTable; readers outside the stack are not known, so the two-reader budget is the caller's.
 */
export class ImportedStreamTable extends StreamTableBase {
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly streamViewType?: StreamViewType;
  readonly encryptionKeyArn?: string;
  readonly indexNames: string[];
  readonly provider?: TerraformProvider;
  protected readonly streamDescription: string;

  /**
   * With `lookupName`, `given` holds the lookup options and the table is read by an
   * `aws_dynamodb_table` data source at plan time; without it, `given` holds the ARNs.
   */
  constructor(scope: Construct, id: string, given: StreamTableAttributes | StreamTableLookupOptions, lookupName?: string) {
    super(scope, id);
    checkKnownProps(this, lookupName === undefined ? PROP_SHAPES.StreamTableAttributes : PROP_SHAPES.StreamTableLookupOptions, given);
    const v = new PropsValidator(this);
    const attrs = lookupName === undefined ? (given as StreamTableAttributes) : lookUp(this, lookupName, given, v);
    const literalArn = !Token.isUnresolved(attrs.tableArn);
    const nameInArn = literalArn ? TABLE_ARN.exec(attrs.tableArn)?.[2] : undefined;
    if (literalArn && !nameInArn)
      v.fail(
        'tableArn',
        attrs.tableArn,
        'a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)',
        'grants name it exactly',
      );
    if (!Token.isUnresolved(attrs.streamArn)) {
      const ownStream = literalArn && attrs.streamArn.startsWith(`${attrs.tableArn}/stream/`);
      if (!ownStream || !STREAM_SUFFIX.test(attrs.streamArn.slice(attrs.tableArn.length)))
        v.fail(
          'streamArn',
          attrs.streamArn,
          `the stream ARN of this table (${literalArn ? attrs.tableArn : '<tableArn>'}/stream/<label>, the label being its creation time like 2026-01-01T00:00:00.000)`,
          'the event source mapping reads it and the readers are granted it',
        );
    }
    v.oneOf('streamViewType', attrs.streamViewType, VIEW_TYPES);
    v.matches('encryptionKeyArn', attrs.encryptionKeyArn, LIMITS.kmsKeyArn.pattern, LIMITS.kmsKeyArn.described, LIMITS.kmsKeyArn.why);
    for (const [i, name] of (attrs.indexNames ?? []).entries())
      v.matches(`indexNames[${i}]`, name, LIMITS.tableName.pattern, LIMITS.tableName.described);
    v.throwIfInvalid();

    this.tableArn = attrs.tableArn;
    this.streamArn = attrs.streamArn;
    this.tableName = lookupName ?? nameInArn ?? Fn.element(Fn.split('/', attrs.tableArn), 1);
    this.streamViewType = attrs.streamViewType;
    this.encryptionKeyArn = attrs.encryptionKeyArn;
    this.indexNames = [...(attrs.indexNames ?? [])];
    this.provider = attrs.provider;
    this.streamDescription = `table "${Token.isUnresolved(this.tableName) ? this.node.path : this.tableName}"`;
  }
}

function lookUp(scope: Construct, tableName: string, options: StreamTableLookupOptions, v: PropsValidator): StreamTableAttributes {
  v.matches('tableName', tableName, LIMITS.tableName.pattern, LIMITS.tableName.described);
  v.throwIfInvalid();
  const table = new DataAwsDynamodbTable(scope, 'Lookup', { provider: options.provider, name: tableName });
  return { ...options, tableArn: table.arn, streamArn: table.streamArn };
}
