import { TerraformStack, Testing } from 'cdktf';
import { EXAMPLE_STACKS, buildExampleApp } from '../../examples/app';
import { planOf } from '../support/stack-plans';

describe('example app (main.ts)', () => {
  const app = buildExampleApp(Testing.app());

  test.each(EXAMPLE_STACKS)('GIVEN stack %s WHEN synthesized THEN it matches its reviewed snapshot', (name) => {
    const json = JSON.parse(Testing.synth(app.node.findChild(name) as TerraformStack));
    // Each function's code is its bundle's asset, named and hashed by the bundle's own digest.
    for (const fn of Object.values<any>(json.resource?.aws_lambda_function ?? {}))
      expect(fn.filename).toMatch(new RegExp(`/${fn.source_code_hash}/lambda\\.zip$`));
    // The snapshot reviews the Terraform, not the handler code: a handler change must not stale it
    // (test/handlers/bundle.test.ts checks that bundling is deterministic).
    expect(JSON.parse(JSON.stringify(json).replace(/[0-9a-f]{64}/g, '<bundle sha256>'))).toMatchSnapshot();
  });

  test('GIVEN the multi-region stack with its assets WHEN terraform init, validate and plan run offline THEN every region plans with its own provider alias', () => {
    const plan = planOf('multiRegionExample');
    expect(plan.resource_changes.every((c: any) => c.change.actions.join() === 'create')).toBe(true);
    // The region's tables, and the state and backlog tables of the two writers (Sydney is a read replica).
    const tables = plan.resource_changes.filter((c: any) => c.type === 'aws_dynamodb_table');
    expect(tables.map((c: any) => c.provider_name)).toEqual(Array(7).fill('registry.terraform.io/hashicorp/aws'));
    const configs = plan.configuration.root_module.resources
      .filter((r: any) => r.type === 'aws_dynamodb_table')
      .map((r: any) => r.provider_config_key)
      .sort();
    expect(configs).toEqual([
      'aws.ap-southeast-2'.replace(/-/g, '_'),
      ...Array(3).fill('aws.eu_west_1'),
      ...Array(3).fill('aws.us_east_1'),
    ]);
    // Two writers and their backlog drainers.
    expect(plan.resource_changes.filter((c: any) => c.type === 'aws_lambda_function')).toHaveLength(4);
  });
});
