/**
 * StreamConsumer's consumer-toolkit options: the view type the handler is told, and `idempotency`
 * (the table, its settings, the exact grants, the environment), checked in the synthesized JSON.
 */
import { Testing } from 'cdktf';
import * as handlerSide from '../../handlers/consumer';
import { IDEMPOTENCY_ACTIONS, WINDOW_MARKER_ACTIONS } from '../../modules/internal/idempotency-table';
import { TableKinesisStream } from '../../modules/kinesis-stream';
import { StreamConsumer, StreamConsumerProps } from '../../modules/stream-consumer';
import { StreamPipeline } from '../../modules/stream-pipeline';

const { DEFAULT_IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_TABLE_ENV, IDEMPOTENCY_TTL_ENV } = handlerSide;
import { CACHE_DIR, consumerOf, HANDLER_ENTRY, newStack, newTable, policyOf } from '../support/consumer-stack';

/** The idempotency statement's actions of a consumer of the table's Kinesis data stream. */
function kinesisIdempotencyActions(props: Partial<StreamConsumerProps>): string[] {
  const stack = newStack();
  const changes = new TableKinesisStream(stack, 'Changes', { table: newTable(stack) });
  new StreamConsumer(stack, 'Consumer', { source: changes, code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } }, ...props });
  return policyOf(JSON.parse(Testing.synth(stack))).Statement.find((s: any) => s.Sid === 'IdempotencyRecords')?.Action;
}

const envOf = (json: any) => (Object.values(json.resource.aws_lambda_function)[0] as any).environment?.variables ?? {};
const tablesOf = (json: any) => Object.values(json.resource.aws_dynamodb_table) as any[];

describe('StreamConsumer consumer toolkit options', () => {
  test('GIVEN idempotency: true WHEN synthesized THEN an on-demand, encrypted table with TTL and PITR exists AND its name and TTL are in the environment AND the role may only PutItem and DeleteItem on it', () => {
    const json = consumerOf({ idempotency: true }).synth();
    const idem = tablesOf(json).find((t) => t.hash_key === 'id');
    expect(idem).toMatchObject({
      name: 'test-Consumer-idempotency',
      billing_mode: 'PAY_PER_REQUEST',
      attribute: [{ name: 'id', type: 'S' }],
      ttl: { attribute_name: 'expiresAt', enabled: true },
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
    });
    expect(envOf(json)).toMatchObject({
      DDB_STREAMS_IDEMPOTENCY_TABLE: '${aws_dynamodb_table.Consumer_IdempotencyTable_E56336BE.name}',
      DDB_STREAMS_IDEMPOTENCY_TTL_SECONDS: '1209600',
      DDB_STREAMS_VIEW_TYPE: 'NEW_AND_OLD_IMAGES',
    });
    const statements = policyOf(json).Statement.filter((s: any) => s.Sid === 'IdempotencyRecords');
    expect(statements).toEqual([
      {
        Sid: 'IdempotencyRecords',
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
        Resource: '${aws_dynamodb_table.Consumer_IdempotencyTable_E56336BE.arn}',
      },
    ]);
  });

  test("GIVEN a Kinesis source with a tumbling window WHEN synthesized THEN the role may also BatchGetItem and BatchWriteItem on the idempotency table (the windows' markers) AND without the window, or on a DynamoDB stream, it may not", () => {
    expect(kinesisIdempotencyActions({ idempotency: true, tumblingWindowSeconds: 60 })).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    expect(kinesisIdempotencyActions({ idempotency: true })).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(kinesisIdempotencyActions({ idempotency: true, tumblingWindowSeconds: 0 })).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(kinesisIdempotencyActions({ tumblingWindowSeconds: 60 })).toBeUndefined();
    const streamWindowed = policyOf(consumerOf({ idempotency: true, tumblingWindowSeconds: 60 }).synth());
    expect(streamWindowed.Statement.find((s: any) => s.Sid === 'IdempotencyRecords').Action).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    // A pipeline's consumer gets the same rule.
    const stack = newStack();
    const changes = new TableKinesisStream(stack, 'Changes', { table: newTable(stack) });
    new StreamPipeline(stack, 'Stats', {
      table: changes,
      consumer: { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } }, idempotency: true, tumblingWindowSeconds: 30 },
      alarms: false,
    });
    const pipelinePolicy = policyOf(JSON.parse(Testing.synth(stack)));
    expect(pipelinePolicy.Statement.find((s: any) => s.Sid === 'IdempotencyRecords').Action).toContain('dynamodb:BatchWriteItem');
  });

  test('GIVEN a functionName WHEN synthesized THEN the idempotency table is named after the function (a module per environment does not collide)', () => {
    const json = consumerOf({ idempotency: true, functionName: 'shop-staging-order-stats' }).synth();
    expect(tablesOf(json).find((t) => t.hash_key === 'id').name).toBe('shop-staging-order-stats-idempotency');
  });

  test('GIVEN no idempotency WHEN synthesized THEN no idempotency table, grant or variable exists; the view type is still passed', () => {
    const json = consumerOf({}, { streamViewType: 'KEYS_ONLY' }).synth();
    expect(tablesOf(json).filter((t) => t.hash_key === 'id')).toEqual([]);
    expect(envOf(json)).toEqual({ DDB_STREAMS_VIEW_TYPE: 'KEYS_ONLY' });
    expect(JSON.stringify(policyOf(json))).not.toContain('Idempotency');
  });

  test('GIVEN ttlSeconds shorter than a stream keeps records WHEN constructed THEN the error names the construct, the property, the value and what is allowed', () => {
    expect(() => consumerOf({ idempotency: { ttlSeconds: 3600 } })).toThrow(
      /^test\/Consumer: idempotency\.ttlSeconds must be an integer from 86400 \(1 day\) to 31622400 .*\(got 3600\)$/s,
    );
    expect(envOf(consumerOf({ idempotency: { ttlSeconds: 86_400 } }).synth())[IDEMPOTENCY_TTL_ENV]).toBe('86400');
  });

  test('GIVEN the handler side WHEN compared THEN it reads the documented variables and makes only the granted calls', () => {
    // The names and the default the props documentation gives (modules/props/consumer-toolkit.ts).
    expect([IDEMPOTENCY_TABLE_ENV, IDEMPOTENCY_TTL_ENV, DEFAULT_IDEMPOTENCY_TTL_SECONDS]).toEqual([
      'DDB_STREAMS_IDEMPOTENCY_TABLE',
      'DDB_STREAMS_IDEMPOTENCY_TTL_SECONDS',
      1_209_600,
    ]);
    expect(handlerSide.VIEW_TYPE_ENV).toBe('DDB_STREAMS_VIEW_TYPE');
    // test/handlers/consumer-toolkit.test.ts records the calls made on the idempotency table against this list.
    expect([...IDEMPOTENCY_ACTIONS].sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    // test/handlers/consumer-proof.test.ts records those a windowed Kinesis consumer makes against both lists.
    expect([...WINDOW_MARKER_ACTIONS].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(typeof handlerSide.DynamoDBIdempotencyStore.prototype.markFolded).toBe('function');
  });
});
