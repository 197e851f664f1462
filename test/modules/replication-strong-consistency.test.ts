/**
 * Multi-region strong consistency (MRSC) of `mode: 'global-table'`: its documented rules (AWS
 * "Global tables: how it works"; docs/limits.md) are refused at synth, and on the hashicorp/aws
 * 5.100 binding this repository compiles against (@cdktf/provider-aws 20.1.0) synth fails saying
 * which provider versions it needs. The 6.x bindings' output is checked by the consumer matrix
 * (test/matrix/consumer-matrix.matrix.ts), which installs them.
 */
import { Testing } from 'cdktf';
import { ReplicatedTable } from '../../modules';
import { ModuleStack } from '../../modules/module-stack';
import { bindingSupport, constraintRequiresAtLeast } from '../../modules/replication/internal/strong-consistency';
import { replicated } from './support/replication';
import { problems } from '../support/validation-problems';

const P = 'test/Customers';
const US = ['us-east-1', 'us-east-2', 'us-west-2'];
const SETS =
  'US: us-east-1, us-east-2, us-west-2; EU: eu-west-1, eu-west-2, eu-west-3, eu-central-1; AP: ap-northeast-1, ap-northeast-2, ap-northeast-3';
/** The installed binding (@cdktf/provider-aws 20.1.0) was generated from this hashicorp/aws release. */
const BINDING_AWS = '5.100.0';
const NO_BINDING =
  `${P}: globalTableConsistency must be used with a provider binding of hashicorp/aws >= 6.3.0 (such as @cdktf/provider-aws 21.x or @cdktn/provider-aws 25.x) ` +
  `(the installed binding was generated from hashicorp/aws ${BINDING_AWS}, which has no replica.consistency_mode; upgrade the binding, or keep globalTableConsistency 'eventual') (got "strong")`;

describe('global-table mode with strong consistency: the rules', () => {
  test('GIVEN strong consistency over two regions and no witness WHEN constructed THEN the region count is refused with both valid shapes', () => {
    expect(problems(() => replicated({ mode: 'global-table', globalTableConsistency: 'strong' }, ['us-east-1', 'us-east-2']))).toEqual([
      `${P}: replicas must be two regions (three with home), or one region and a witnessRegion ` +
        '(a strongly consistent global table has exactly three regions: three replicas, or two replicas and a witness) (got ["us-east-2"])',
    ]);
  });

  test('GIVEN strong consistency over three regions and a witness WHEN constructed THEN the fourth region is refused', () => {
    expect(
      problems(() =>
        replicated({ mode: 'global-table', globalTableConsistency: 'strong', witnessRegion: 'us-west-2' }, [
          'us-east-1',
          'us-east-2',
          'eu-west-1',
        ]),
      ),
    ).toEqual([
      `${P}: replicas must be one region (two with home) besides the witnessRegion ` +
        '(a strongly consistent global table has exactly three regions: three replicas, or two replicas and a witness) (got ["us-east-2","eu-west-1"])',
      `${P}: regions must be regions of one region set (${SETS}) (multi-region strong consistency is offered only within these sets) ` +
        '(got ["us-east-1","us-east-2","eu-west-1","us-west-2"])',
    ]);
  });

  test('GIVEN regions of two sets, or a region in no set WHEN constructed THEN the region sets are listed', () => {
    expect(
      problems(() => replicated({ mode: 'global-table', globalTableConsistency: 'strong' }, ['eu-west-1', 'eu-west-2', 'us-east-1'])),
    ).toEqual([
      `${P}: regions must be regions of one region set (${SETS}) (multi-region strong consistency is offered only within these sets) (got ["eu-west-1","eu-west-2","us-east-1"])`,
    ]);
    expect(
      problems(() =>
        replicated({ mode: 'global-table', globalTableConsistency: 'strong' }, ['ap-northeast-1', 'ap-northeast-2', 'ap-southeast-2']),
      ),
    ).toEqual([
      `${P}: regions must be regions of one region set (${SETS}) (multi-region strong consistency is offered only within these sets) ` +
        '(got ["ap-northeast-1","ap-northeast-2","ap-southeast-2"])',
    ]);
  });

  test('GIVEN a witness in a replica region WHEN constructed THEN it is refused', () => {
    const found = problems(() =>
      replicated({ mode: 'global-table', globalTableConsistency: 'strong', witnessRegion: 'us-east-2' }, ['us-east-1', 'us-east-2']),
    );
    expect(found[0]).toBe(
      `${P}: witnessRegion must be a region without a replica (a witness stands in for a third replica) (got "us-east-2")`,
    );
  });

  test('GIVEN a TTL attribute, a lag alarm override and alarm actions WHEN strong THEN each is refused with its reason', () => {
    const found = problems(() =>
      replicated(
        {
          mode: 'global-table',
          globalTableConsistency: 'strong',
          timeToLiveAttribute: 'expires',
          alarms: { replicationLag: { threshold: 1000 }, actionArns: { 'us-east-1': [] } },
        },
        US,
      ),
    );
    expect(found).toEqual([
      `${P}: timeToLiveAttribute must be unset with globalTableConsistency 'strong' (a strongly consistent global table cannot have TTL) (got "expires")`,
      `${P}: alarms.replicationLag must be unset with globalTableConsistency 'strong' ` +
        '(a strongly consistent global table publishes no ReplicationLatency metric: a write returns only once another region has it) (got {"threshold":1000})',
      `${P}: alarms.actionArns must be unset with globalTableConsistency 'strong' (it gets no alarms: it has no writers and publishes no ReplicationLatency metric) (got {"us-east-1":[]})`,
    ]);
  });

  test('GIVEN a consistency outside global-table mode, or a witness of an eventual table WHEN constructed THEN both are refused', () => {
    expect(problems(() => replicated({ globalTableConsistency: 'strong' }, US))).toEqual([
      `${P}: globalTableConsistency must be unset unless mode is 'global-table' ` +
        '(replica writers copy changes after the write returns; only DynamoDB itself can make a write wait for another region) (got "strong")',
    ]);
    expect(problems(() => replicated({ mode: 'global-table', witnessRegion: 'us-west-2' }, ['us-east-1', 'us-east-2']))).toEqual([
      `${P}: witnessRegion must be unset unless globalTableConsistency is 'strong' (only a strongly consistent global table has a witness) (got "us-west-2")`,
    ]);
  });
});

describe('global-table mode with strong consistency: the provider binding', () => {
  test('GIVEN the installed 5.100 binding WHEN its generated code is asked THEN it supports neither consistency_mode nor the witness', () => {
    expect(bindingSupport()).toEqual({ consistencyMode: false, witness: false });
  });

  test('GIVEN valid MRSC props over three US regions WHEN synthesized with the 5.100 binding THEN synth fails naming the versions', () => {
    expect(problems(() => replicated({ mode: 'global-table', globalTableConsistency: 'strong' }, US))).toEqual([NO_BINDING]);
  });

  test('GIVEN valid MRSC props with a witness WHEN synthesized with the 5.100 binding THEN the one error names the binding version', () => {
    expect(
      problems(() =>
        replicated({ mode: 'global-table', globalTableConsistency: 'strong', witnessRegion: 'us-west-2' }, ['us-east-1', 'us-east-2']),
      ),
    ).toEqual([NO_BINDING]);
  });

  test('GIVEN a ModuleStack whose range admits 5.x WHEN MRSC is asked for THEN the range is refused too; a 6.22 range is not', () => {
    const build = (awsVersionConstraint?: string) => {
      const stack = new ModuleStack(Testing.app(), 'mod', { providerAliases: ['east2', 'west2'], awsVersionConstraint });
      return problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            tableName: 'customers',
            partitionKey: { name: 'pk', type: 'S' },
            mode: 'global-table',
            globalTableConsistency: 'strong',
            home: { region: 'us-east-1', provider: stack.provider() },
            replicas: [{ region: 'us-east-2', provider: stack.provider('east2') }],
            witnessRegion: 'us-west-2',
          }),
      );
    };
    const binding = NO_BINDING.replace(P, 'mod/Customers');
    expect(build()).toEqual([
      binding,
      'mod/Customers: globalTableConsistency must be in a ModuleStack whose awsVersionConstraint admits only hashicorp/aws >= 6.22.0, ' +
        'such as ">= 6.22.0, < 7.0.0" (it is ">= 5.100.0, < 7.0.0") (a caller on an older provider would get a plan error on the strong-consistency arguments) (got "strong")',
    ]);
    expect(build('>= 6.22.0, < 7.0.0')).toEqual([binding]);
  });

  test.each([
    ['>= 5.100.0, < 7.0.0', '6.3.0', false],
    ['>= 6.3.0, < 7.0.0', '6.3.0', true],
    ['>= 6.3.0, < 7.0.0', '6.22.0', false],
    ['~> 6.22', '6.22.0', true],
    ['~> 6.0', '6.3.0', false],
    ['> 6.25.0', '6.22.0', true],
    ['< 7.0.0', '6.3.0', false],
  ])('GIVEN the range %s WHEN asked whether it excludes everything below %s THEN %s', (constraint, minimum, expected) => {
    expect(constraintRequiresAtLeast(constraint, minimum)).toBe(expected);
  });
});
