/**
 * The schema check the consumer matrix runs against the hashicorp/aws 6.x bindings, tried here on
 * the binding this repository builds with (@cdktf/provider-aws 20 = hashicorp/aws 5.100), whose
 * provider binary the terraform tier runs: what terraform accepts passes, and invented arguments,
 * nested arguments and attribute references are reported.
 */
import { dirname } from 'path';
import { Testing } from 'cdktf';
import { multiRegionStack } from '../../../examples/multi-region';
import { OrdersStack } from '../../../examples/orders/stack';
import { BindingSchema, unknownAttributes } from './binding-schema';

const orderStackJson = () => JSON.parse(Testing.synth(new OrdersStack(Testing.app(), 'orders')));

const binding = new BindingSchema(dirname(require.resolve('@cdktf/provider-aws/package.json')));

describe('binding schema check', () => {
  test('GIVEN the binding WHEN its version is read THEN it is the provider the terraform tier plans with', () => {
    expect(binding.providerVersion).toBe('5.100.0');
  });

  test('GIVEN the example stacks (which terraform validates) WHEN checked THEN nothing is unknown', () => {
    expect(unknownAttributes(orderStackJson(), binding)).toEqual([]);
    expect(unknownAttributes(JSON.parse(Testing.synth(multiRegionStack(Testing.app(), 'multi-region'))), binding)).toEqual([]);
  });

  test('GIVEN invented arguments, nested arguments and references WHEN checked THEN each is reported with where it is', () => {
    const tf = orderStackJson();
    const [tableName, table] = Object.entries<any>(tf.resource.aws_dynamodb_table)[0];
    table.warm_throughput = { read_units_per_second: 1 }; // hashicorp/aws 6.x only
    table.point_in_time_recovery.retention = 3;
    const fn = Object.values<any>(tf.resource.aws_lambda_function)[0];
    fn.environment.variables.STREAM = `\${aws_dynamodb_table.${tableName}.stream_label_v2}`;
    tf.provider.aws[0].region_of_doom = 'x';
    expect(unknownAttributes(tf, binding)).toEqual(
      [
        `aws_dynamodb_table.${tableName}.point_in_time_recovery: "retention" is not an argument of hashicorp/aws 5.100.0`,
        `aws_dynamodb_table.${tableName}: "warm_throughput" is not an argument of hashicorp/aws 5.100.0`,
        `aws_dynamodb_table.${tableName}.stream_label_v2: "stream_label_v2" is not an attribute of resource aws_dynamodb_table in hashicorp/aws 5.100.0`,
        'provider.aws[0]: "region_of_doom" is not an argument of hashicorp/aws 5.100.0',
      ].sort(),
    );
  });

  test('GIVEN a type the binding lacks WHEN checked THEN the error names it', () => {
    expect(() => unknownAttributes({ resource: { aws_dynamodb_table_v9: { t: {} } } }, binding)).toThrow(
      /has no resource aws_dynamodb_table_v9/,
    );
  });
});
