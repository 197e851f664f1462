/**
 * The metric helpers of StreamConsumer and FailureRedrive return the CloudWatch metric ids that
 * the service publishes (names and dimensions from the Lambda, SQS and redrive documentation,
 * written out here), and the pipeline's own alarms watch exactly those.
 */
import { DefaultTokenResolver, StringConcat, TerraformStack, Testing, Tokenization } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { StreamConsumer, StreamPipeline, StreamTable } from '../../modules';
import { CACHE_DIR, HANDLER_ENTRY } from '../support/consumer-stack';

const CODE = { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } };
const TABLE = { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' as const } };

function stack(): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(s, 'aws', { region: 'eu-west-1' });
  return s;
}

/** What Terraform receives for a value (references as interpolations), as the synthesized JSON holds it. */
function resolve(s: TerraformStack, value: unknown): any {
  return Tokenization.resolve(value, { scope: s, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

const FUNCTION_NAME = /^\$\{aws_lambda_function\.[\w]+\.function_name\}$/;

describe('StreamConsumer metric helpers', () => {
  test('GIVEN a consumer WHEN its metrics are asked for THEN they are the function metrics Lambda publishes', () => {
    const s = stack();
    const consumer = new StreamConsumer(s, 'Consumer', { source: new StreamTable(s, 'Table', TABLE), code: CODE });
    for (const [metric, name] of [
      [consumer.metricIteratorAge(), 'IteratorAge'],
      [consumer.metricErrors(), 'Errors'],
      [consumer.metricThrottles(), 'Throttles'],
      [consumer.metricInvocations(), 'Invocations'],
    ] as const) {
      const resolved = resolve(s, metric);
      expect(resolved).toEqual({
        namespace: 'AWS/Lambda',
        metricName: name,
        dimensions: { FunctionName: expect.stringMatching(FUNCTION_NAME) },
      });
    }
  });

  test('GIVEN provisioned concurrency WHEN the iterator age is asked for THEN it is the alias series the mapping invokes', () => {
    const s = stack();
    const consumer = new StreamConsumer(s, 'Consumer', {
      source: new StreamTable(s, 'Table', TABLE),
      code: CODE,
      functionName: 'orders-consumer',
      provisionedConcurrency: 1,
    });
    const fn = '${aws_lambda_function.Consumer_Function_7B73AF2C.function_name}';
    const alias = '${aws_lambda_alias.Consumer_Alias_3A583E6D.name}';
    // FunctionName and Resource as Lambda publishes an alias's series: "<function>" and "<function>:<alias>".
    expect(resolve(s, consumer.metricIteratorAge()).dimensions).toEqual({ FunctionName: fn, Resource: `${fn}:${alias}` });
  });
});

describe('the pipeline alarms watch the helpers’ metrics', () => {
  const s = stack();
  const pipeline = new StreamPipeline(s, 'Orders', {
    source: TABLE,
    consumer: { code: CODE, functionName: 'orders-consumer' },
    redrive: { functionName: 'orders-redrive' },
  });
  const alarms = Object.values(JSON.parse(Testing.synth(s)).resource.aws_cloudwatch_metric_alarm) as any[];
  const watched = (suffix: string) => {
    const a = alarms.find((x) => x.alarm_name.endsWith(`-${suffix}`));
    return { namespace: a.namespace, metricName: a.metric_name, dimensions: a.dimensions };
  };
  const parkedQueue = resolve(s, pipeline.redrive!.parked.queueName);

  test.each([
    [
      'iterator-age',
      () => pipeline.consumer.metricIteratorAge(),
      { namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensions: { FunctionName: 'orders-consumer' } },
    ],
    [
      'errors',
      () => pipeline.consumer.metricErrors(),
      { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders-consumer' } },
    ],
    [
      'throttles',
      () => pipeline.consumer.metricThrottles(),
      { namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: 'orders-consumer' } },
    ],
    [
      'parked-arrivals',
      () => pipeline.redrive!.metricParked(),
      { namespace: 'AWS/SQS', metricName: 'NumberOfMessagesSent', dimensions: { QueueName: parkedQueue } },
    ],
    [
      'parked-age',
      () => pipeline.redrive!.metricParkedAge(),
      { namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: parkedQueue } },
    ],
    [
      'redrive-errors',
      () => pipeline.redrive!.metricErrors(),
      { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders-redrive' } },
    ],
    [
      'redrive-failures',
      () => pipeline.redrive!.metricMessagesFailed(),
      { namespace: 'DynamoDBStreamRedrive', metricName: 'MessagesFailed', dimensions: { service: 'orders-redrive' } },
    ],
  ])('the %s alarm', (suffix, helper, expected) => {
    const fromHelper = resolve(s, helper());
    // Function names given as literals resolve to references of the function resource: compare by shape.
    const literal = (m: any) =>
      JSON.parse(
        JSON.stringify(m).replace(/\$\{aws_lambda_function\.\w+\.function_name\}/g, (ref) =>
          ref.includes('Redrive') ? 'orders-redrive' : 'orders-consumer',
        ),
      );
    expect(literal(fromHelper)).toEqual(expected);
    expect(literal(watched(suffix))).toEqual(expected);
  });
});
