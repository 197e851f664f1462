/**
 * The replica writer's environment contract (what modules/replication/writer.ts synthesizes).
 */
import { WRITER_ENV as ENV } from '../../handlers/contract';
import { configFromEnv } from '../../handlers/replicate/config';

const valid = {
  [ENV.sourceRegion]: 'eu-west-1',
  [ENV.targets]: JSON.stringify([
    { region: 'us-east-1', table: 'orders' },
    { region: 'ap-southeast-2', table: 'orders', roleArn: 'arn:aws:iam::222222222222:role/w', omit: ['ssn'], mask: ['email'] },
  ]),
  [ENV.failureQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111111111111/failures',
  [ENV.stateTable]: 'orders-writer-state',
  [ENV.versionAttribute]: 'ver',
  [ENV.originAttribute]: 'org',
  [ENV.deletedAttribute]: 'del',
  [ENV.ttlAttribute]: 'expires',
  [ENV.writtenForAttribute]: 'wfor',
  [ENV.tombstoneTtlSeconds]: '86400',
  [ENV.concurrency]: '8',
  [ENV.backlogTable]: 'orders-writer-backlog',
  [ENV.requestTimeoutMs]: '2500',
};

test('GIVEN the full environment WHEN read THEN every setting is taken as given', () => {
  expect(configFromEnv(valid)).toEqual({
    sourceRegion: 'eu-west-1',
    sourceEndpoint: undefined,
    targets: [
      { region: 'us-east-1', table: 'orders' },
      { region: 'ap-southeast-2', table: 'orders', roleArn: 'arn:aws:iam::222222222222:role/w', omit: ['ssn'], mask: ['email'] },
    ],
    failureQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111111111111/failures',
    stateTable: 'orders-writer-state',
    names: { version: 'ver', origin: 'org', deleted: 'del', ttl: 'expires', writtenFor: 'wfor' },
    tombstoneTtlSeconds: 86400,
    concurrency: 8,
    maxAttempts: 3,
    parkMaxBytes: 262144,
    kinesisWaitMs: 60000,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 2500,
    targetCooldownMs: 30000,
    backlogTable: 'orders-writer-backlog',
  });
});

test('GIVEN only the required variables WHEN read THEN the defaults apply and AWS_REGION names the source', () => {
  const c = configFromEnv({
    AWS_REGION: 'eu-west-1',
    [ENV.targets]: '[{"region":"us-east-1","table":"t"}]',
    [ENV.failureQueueUrl]: 'q',
    [ENV.stateTable]: 's',
  });
  expect(c.sourceRegion).toBe('eu-west-1');
  expect(c.names).toEqual({ version: '_v', origin: '_o', deleted: '_d', ttl: '_ttl', writtenFor: '_w' });
  expect(c.tombstoneTtlSeconds).toBe(604800);
  expect(c.concurrency).toBe(32);
});

test('GIVEN several problems WHEN read THEN one error lists them all', () => {
  expect(() => configFromEnv({ [ENV.targets]: '[{"region":"us-east-1"}]', [ENV.concurrency]: '0', [ENV.versionAttribute]: '_o' })).toThrow(
    [
      'replica writer configuration is invalid:',
      '- REPLICATION_SOURCE_REGION (or AWS_REGION) must name the source region',
      '- REPLICATION_TARGETS[0] needs string "region" and "table" (got {"region":"us-east-1"})',
      '- REPLICATION_FAILURE_QUEUE_URL must be the SQS queue URL for records that can never be written',
      "- REPLICATION_STATE_TABLE must name the writer's state table in the source region",
      '- replication attribute names must be distinct (got {"version":"_o","origin":"_o","deleted":"_d","ttl":"_ttl","writtenFor":"_w"})',
      '- REPLICATION_CONCURRENCY must be a positive integer (got "0")',
    ].join('\n'),
  );
});

test('GIVEN targets that are not JSON or include the source region WHEN read THEN the error says so', () => {
  expect(() => configFromEnv({ ...valid, [ENV.targets]: 'nope' })).toThrow(/REPLICATION_TARGETS must be JSON/);
  expect(() => configFromEnv({ ...valid, [ENV.targets]: '[{"region":"eu-west-1","table":"t"}]' })).toThrow(
    /must not include the source region eu-west-1/,
  );
  expect(() => configFromEnv({ ...valid, [ENV.targets]: '[{"region":"us-east-1","table":"t","omit":"ssn"}]' })).toThrow(
    /omit must be a list of attribute names/,
  );
  expect(() => configFromEnv({ ...valid, [ENV.parkMaxBytes]: '2000000' })).toThrow(
    /REPLICATION_PARK_MAX_BYTES must be 1024..1048576, SQS's message size range \(got 2000000\)/,
  );
});
