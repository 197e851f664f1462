import { StreamTable } from '../../modules/stream-table';
import { newStack, providers, replicated } from './support/replication';
import { ReplicatedTable } from '../../modules';
import { problems } from '../support/validation-problems';

/** The problems of the error thrown by `build`, one line each. */

const P = 'test/Customers';

describe('ReplicatedTable validation', () => {
  test('GIVEN an existing replica table keyed differently and without the TTL attribute WHEN constructed THEN the key schema and TTL mismatches are refused', () => {
    const stack = newStack();
    const p = providers(stack, ['eu-west-1', 'us-east-1']);
    const other = new StreamTable(stack, 'Other', {
      tableName: 'customers',
      partitionKey: { name: 'id', type: 'S' },
      sortKey: { name: 'at', type: 'N' },
      provider: p['us-east-1'],
    });
    expect(
      problems(
        () =>
          new ReplicatedTable(stack, 'Customers', {
            tableName: 'customers',
            partitionKey: { name: 'pk', type: 'S' },
            home: { region: 'eu-west-1', provider: p['eu-west-1'] },
            replicas: [{ region: 'us-east-1', table: other }],
          }),
      ),
    ).toEqual([
      `${P}: replicas[0].table must be a table keyed like the replicated table (pk:S) (a replica write must address the same key) (got "id:S, at:N")`,
      `${P}: replicas[0].table.timeToLiveAttribute must be "_ttl" (tombstones carry their expiry there; with another TTL attribute deleted items would be kept forever) (got undefined)`,
    ]);
  });

  test('GIVEN a region listed twice WHEN constructed THEN it is refused, naming where it was listed first', () => {
    expect(problems(() => replicated({ replicas: [{ region: 'us-east-1' }, { region: 'us-east-1' }] }))).toEqual([
      `${P}: replicas[1].region must be unique among the regions (replicas[0] is us-east-1 already) (one table per region) (got "us-east-1")`,
    ]);
  });

  test('GIVEN a replica in the home region WHEN constructed THEN a target equal to the source is refused', () => {
    expect(problems(() => replicated({ replicas: [{ region: 'eu-west-1' }] }))).toEqual([
      `${P}: replicas[0].region must be a region other than the home region eu-west-1 (a table never replicates into itself) (got "eu-west-1")`,
    ]);
  });

  test('GIVEN per-target writers over four regions WHEN constructed THEN the third reader of each stream is refused with the alternative', () => {
    const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'sa-east-1'];
    const found = problems(() => replicated({ writerLayout: 'per-target' }, regions));
    expect(found).toHaveLength(4);
    expect(found[0]).toBe(
      `${P}: writerLayout must be 'fan-out' with 4 regions (per-target writers would put 3 readers on the stream of eu-west-1; AWS throttles more than 2 readers of a DynamoDB stream shard. ` +
        'One fan-out writer per stream writes to every target and leaves a reader for your own consumer) (got "per-target")',
    );
  });

  test('GIVEN masks and omissions of keys and replication metadata WHEN constructed THEN each is refused with the reason', () => {
    expect(
      problems(() =>
        replicated(
          {
            sortKey: { name: 'sk', type: 'S' },
            globalSecondaryIndexes: [{ name: 'byAge', partitionKey: { name: 'age', type: 'N' } }],
            replicas: [
              { region: 'us-east-1', readReplica: true, maskAttributes: ['pk', '_v', 'age'], omitAttributes: ['sk', '_o', '_ttl'] },
            ],
          },
          ['eu-west-1', 'us-east-1'],
        ),
      ),
    ).toEqual([
      `${P}: replicas[0].omitAttributes must be a non-key attribute (every copy needs the item key) (got "sk")`,
      `${P}: replicas[0].omitAttributes must be an attribute other than the replication metadata (_v, _o, _d, _ttl, _w) (last-write-wins needs them in every region) (got "_o")`,
      `${P}: replicas[0].omitAttributes must be an attribute other than the replication metadata (_v, _o, _d, _ttl, _w) (last-write-wins needs them in every region) (got "_ttl")`,
      `${P}: replicas[0].maskAttributes must be a non-key attribute (every copy needs the item key) (got "pk")`,
      `${P}: replicas[0].maskAttributes must be an attribute other than the replication metadata (_v, _o, _d, _ttl, _w) (last-write-wins needs them in every region) (got "_v")`,
      `${P}: replicas[0].maskAttributes must be an attribute that is not an index key (the mask is a string and would break a key of another type; omit it instead) (got "age")`,
    ]);
  });

  test('GIVEN masked attributes in a region that writes WHEN constructed THEN the region must be a read replica', () => {
    expect(
      problems(() => replicated({ replicas: [{ region: 'us-east-1', maskAttributes: ['phone'] }] }, ['eu-west-1', 'us-east-1'])),
    ).toEqual([
      `${P}: replicas[0].readReplica must be true when the region omits or masks attributes (its items are incomplete, and replicating writes made there would overwrite the full items elsewhere) (got undefined)`,
    ]);
  });

  test('GIVEN writer-only options with mode global-table WHEN constructed THEN each is refused together', () => {
    expect(
      problems(() =>
        replicated(
          {
            mode: 'global-table',
            stampedWritesOnly: true,
            replicateItemsWhere: { tier: { S: ['gold'] } },
            replicas: [{ region: 'us-east-1', writerRoleArn: 'arn:aws:iam::210987654321:role/w' }],
          },
          ['eu-west-1', 'us-east-1'],
        ),
      ),
    ).toEqual([
      `${P}: replicas[0].writerRoleArn must be unset with mode global-table (global tables replicate within one account) (got "arn:aws:iam::210987654321:role/w")`,
      `${P}: stampedWritesOnly must be unset with mode global-table (DynamoDB global tables replicate every item themselves; there is no writer to configure) (got true)`,
      `${P}: replicateItemsWhere must be unset with mode global-table (DynamoDB global tables replicate every item themselves; there is no writer to configure) (got {"tier":{"S":["gold"]}})`,
    ]);
  });

  test('GIVEN several bad props WHEN constructed THEN every problem is reported in one error', () => {
    expect(
      problems(() =>
        replicated(
          {
            tableName: 'c',
            encryption: 'CUSTOMER_MANAGED',
            attributeNames: { version: 'pk' },
            home: { region: 'Ireland' },
            replicas: [{ region: 'us-east-1', writerRoleArn: 'writer' }],
            writer: { tombstoneTtlSeconds: 60 },
          },
          ['eu-west-1', 'us-east-1'],
        ),
      ),
    ).toEqual([
      `${P}: tableName must be 3..255 characters of [a-zA-Z0-9_.-] (got "c")`,
      `${P}: attributeNames.version must be a name that is not a key attribute (the writer sets it on every replicated item) (got "pk")`,
      `${P}: home.region must be an AWS region name such as eu-west-1 (got "Ireland")`,
      `${P}: replicas[0].writerRoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) (got "writer")`,
      `${P}: home.encryptionKeyArn must be a KMS key ARN in Ireland (encryption CUSTOMER_MANAGED needs a key per region (KMS keys are regional)) (got undefined)`,
      `${P}: replicas[0].encryptionKeyArn must be a KMS key ARN in us-east-1 (encryption CUSTOMER_MANAGED needs a key per region (KMS keys are regional)) (got undefined)`,
      `${P}: writer.tombstoneTtlSeconds must be an integer 86400..31536000 (a tombstone must outlive the 24-hour stream retention, or a late copy of the deleted item could resurrect it) (got 60)`,
    ]);
  });

  test('GIVEN alarm actions for a region without alarms, too many actions and a non-object item filter WHEN constructed THEN each is refused', () => {
    const arns = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `arn:aws:sns:eu-west-1:123456789012:${n}`);
    expect(
      problems(() =>
        replicated(
          {
            mode: 'one-way',
            replicateItemsWhere: ['gold'] as never,
            alarms: { actionArns: { 'us-east-1': [arns[0]], 'eu-west-1': arns } },
          },
          ['eu-west-1', 'us-east-1'],
        ),
      ),
    ).toEqual([
      `${P}: replicateItemsWhere must be a filter pattern object on new-image attributes, such as { tier: { S: ["gold"] } } (got ["gold"])`,
      `${P}: alarms.actionArns.us-east-1 must be keyed by a region whose alarms it receives (eu-west-1) (got ["arn:aws:sns:eu-west-1:123456789012:a"])`,
      `${P}: alarms.actionArns.eu-west-1 must be at most 5 ARNs (CloudWatch limit per alarm) (got ${JSON.stringify(arns)})`,
    ]);
  });

  test('GIVEN a bad prop WHEN constructed THEN nothing was added to the stack', () => {
    const stack = newStack();
    expect(
      () =>
        new ReplicatedTable(stack, 'Customers', {
          tableName: 'customers',
          partitionKey: { name: 'pk', type: 'S' },
          home: { region: 'eu-west-1' },
          replicas: [],
        }),
    ).toThrow(`${P}: replicas must be at least one region (a replicated table needs a region to replicate to) (got [])`);
    expect(stack.node.findAll().filter((c) => c.node.path.startsWith(P + '/'))).toEqual([]);
  });

  test('GIVEN writer record ages that outlive what the source keeps WHEN constructed THEN each is refused with the allowed range and why', () => {
    const why = (source: string) =>
      `${source}; a writer must give up on a record (its batch goes whole to the writer's S3 bucket) at least an hour before ` +
      'the stream trims it, or the records queued behind it are trimmed unread and lost without a trace';
    const dynamo = why('a DynamoDB stream keeps records 24 hours');
    for (const age of [-1, 86400, 82801])
      expect(problems(() => replicated({ writer: { maxRecordAgeSeconds: age } }))).toContain(
        `${P}: writer.maxRecordAgeSeconds must be 60..82800 seconds (not -1) (${dynamo}) (got ${age})`,
      );
    expect(() => replicated({ writer: { maxRecordAgeSeconds: 82800 } })).not.toThrow();
    // A Kinesis stream kept 48 hours allows up to 47.
    const kinesis = { changeSource: 'kinesis' as const, kinesisStream: { retentionHours: 48 } };
    expect(problems(() => replicated({ ...kinesis, writer: { maxRecordAgeSeconds: 172800 } }))).toEqual([
      `${P}: writer.maxRecordAgeSeconds must be 60..169200 seconds (not -1) (${why('the Kinesis stream keeps records 48 hours')}) (got 172800)`,
    ]);
    expect(() => replicated({ ...kinesis, writer: { maxRecordAgeSeconds: 169200 } })).not.toThrow();
  });

  test('GIVEN no record age WHEN synthesized THEN the writers give up at half the source retention', () => {
    const age = (overrides: Parameters<typeof replicated>[0]) =>
      Object.values(replicated(overrides).synth().resource.aws_lambda_event_source_mapping as Record<string, any>).map(
        (m) => m.maximum_record_age_in_seconds,
      );
    expect(new Set(age({}))).toEqual(new Set([43200]));
    expect(new Set(age({ changeSource: 'kinesis', kinesisStream: { retentionHours: 72 } }))).toEqual(new Set([129600]));
    // The API's maximum is 7 days, whatever the Kinesis retention.
    expect(new Set(age({ changeSource: 'kinesis', kinesisStream: { retentionHours: 8760 } }))).toEqual(new Set([604800]));
  });

  test('GIVEN drainer settings out of range WHEN constructed THEN each is refused naming the prop, the value and why', () => {
    expect(
      problems(() =>
        replicated({ writer: { drainer: { intervalMinutes: 5, timeoutSeconds: 5, memorySize: 64, reservedConcurrency: 0 } } }),
      ),
    ).toEqual([
      `${P}: writer.drainer.intervalMinutes must be an integer 1..3 (the drainer publishes why a target fails, and that target's alarm must fire within 5 minutes) (got 5)`,
      `${P}: writer.drainer.timeoutSeconds must be an integer 10..180 (a run must end before the next one starts (every 5 minutes); it stops applying before its deadline) (got 5)`,
      `${P}: writer.drainer.memorySize must be an integer 128..10240 (MB) (got 64)`,
      `${P}: writer.drainer.reservedConcurrency must be an integer 1..1000 (0 would never run the drainer, and one run at a time is all it needs (leave it unset to reserve nothing)) (got 0)`,
    ]);
    expect(problems(() => replicated({ writer: { drainer: { timeoutSeconds: 61 } } }))).toEqual([
      `${P}: writer.drainer.timeoutSeconds must be an integer 10..60 (a run must end before the next one starts (every 1 minute); it stops applying before its deadline) (got 61)`,
    ]);
  });

  test('GIVEN a misspelt drainer setting WHEN constructed THEN it is refused with a suggestion', () => {
    expect(() => replicated({ writer: { drainer: { intervalMinute: 2 } as never } })).toThrow(
      /writer\.drainer\.intervalMinute.*intervalMinutes/s,
    );
  });
});
