import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { stackFolder, terraformIn } from './terraform';

describe('offline terraform harness', () => {
  test('GIVEN a stack with an invalid argument WHEN planned THEN the real provider rejects it', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new SqsQueue(stack, 'q', { name: 'ok', messageRetentionSeconds: 5 });
    expect(() => terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan()).toThrow(/message_retention_seconds/);
  });

  test('GIVEN a valid stack WHEN planned THEN the plan creates its resources', () => {
    const stack = new TerraformStack(new App({ outdir: '/tmp/unused' }), 'good');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new SqsQueue(stack, 'q', { name: 'ok' });
    const plan = terraformIn(stackFolder(Testing.synth(stack))).initValidatePlan();
    expect(plan.resource_changes.map((c: any) => [c.address, c.change.actions])).toEqual([['aws_sqs_queue.q', ['create']]]);
  });
});
