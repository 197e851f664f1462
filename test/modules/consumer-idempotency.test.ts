/**
 * StreamConsumer's consumer-toolkit options: the view type the handler is told, and `idempotency`
 * (the table, its settings, the exact grants, the environment), checked in the synthesized JSON.
 */
import * as handlerSide from '../../handlers/consumer';
import { IDEMPOTENCY_ACTIONS } from '../../modules/internal/idempotency-table';

const { DEFAULT_IDEMPOTENCY_TTL_SECONDS, IDEMPOTENCY_TABLE_ENV, IDEMPOTENCY_TTL_ENV } = handlerSide;
import { consumerOf, policyOf } from '../support/consumer-stack';

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
  });
});
