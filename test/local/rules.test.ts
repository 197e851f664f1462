/**
 * The pure rules of the local mapping, for what DynamoDB Local cannot produce: a shard that splits
 * into two children (DynamoDB Local only rolls a shard over into one child), and every response
 * shape the Lambda guide lists for ReportBatchItemFailures.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { nextBatch, outcomeOf } from '../../local/mapping/batch-delivery';
import { readableShards, ShardInfo } from '../../local/stream/shards';

describe('shard lineage', () => {
  const shards: ShardInfo[] = [
    { shardId: 'parent', endingSequenceNumber: '100' },
    { shardId: 'left', parentShardId: 'parent' },
    { shardId: 'right', parentShardId: 'parent' },
    { shardId: 'orphan', parentShardId: 'trimmed-away' },
  ];

  test('GIVEN a parent split into two children WHEN the parent is not finished THEN only the parent and shards whose parent is gone are read', () => {
    expect(readableShards(shards, new Set()).map((s) => s.shardId)).toEqual(['parent', 'orphan']);
  });

  test('GIVEN the parent finished WHEN shards are listed again THEN both children are readable, independently of each other', () => {
    expect(readableShards(shards, new Set(['parent'])).map((s) => s.shardId)).toEqual(['left', 'right', 'orphan']);
    expect(readableShards(shards, new Set(['parent', 'left'])).map((s) => s.shardId)).toEqual(['right', 'orphan']);
  });
});

describe("ReportBatchItemFailures responses (the Lambda guide's success and failure conditions)", () => {
  const batch = ['10', '20', '30'].map((n) => ({ dynamodb: { SequenceNumber: n } }) as DynamoDBRecord);
  const ok = (payload: unknown) => outcomeOf({ ok: true, payload }, batch, true);

  test.each([
    ['an empty batchItemFailures list', { batchItemFailures: [] }],
    ['a null batchItemFailures list', { batchItemFailures: null }],
    ['an empty EventResponse', {}],
    ['a null EventResponse', null],
  ])('GIVEN %s THEN the batch succeeded', (_, payload) => {
    expect(ok(payload)).toEqual({ kind: 'success' });
  });

  test.each([
    ['an empty string itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['an itemIdentifier with a wrong key name', { batchItemFailures: [{ id: '20' }] }],
    ['an itemIdentifier of no record of the batch', { batchItemFailures: [{ itemIdentifier: '99' }] }],
  ])('GIVEN %s THEN the whole batch failed', (_, payload) => {
    expect(ok(payload)).toEqual({ kind: 'error' });
  });

  test('GIVEN several failed items THEN the checkpoint is the lowest sequence number', () => {
    expect(ok({ batchItemFailures: [{ itemIdentifier: '30' }, { itemIdentifier: '20' }] })).toEqual({ kind: 'partial', failedIndex: 1 });
  });

  test('GIVEN the mapping does not list ReportBatchItemFailures THEN reported failures are ignored, AND a function error fails the batch either way', () => {
    expect(outcomeOf({ ok: true, payload: { batchItemFailures: [{ itemIdentifier: '20' }] } }, batch, false)).toEqual({ kind: 'success' });
    expect(outcomeOf({ ok: false, errorType: 'Error', errorMessage: 'x' }, batch, false)).toEqual({ kind: 'error' });
  });
});

describe('batch size limits', () => {
  test('GIVEN records of 1 MB WHEN a batch is formed THEN it stays under the 6 MB invocation payload limit, even below the batch size', () => {
    const big = Array.from(
      { length: 10 },
      (_, i) => ({ dynamodb: { SequenceNumber: String(i), NewImage: { d: { S: 'x'.repeat(1024 * 1024) } } } }) as DynamoDBRecord,
    );
    expect(nextBatch(big, 100)).toHaveLength(5);
    expect(nextBatch(big.slice(0, 3), 2)).toHaveLength(2);
  });
});
