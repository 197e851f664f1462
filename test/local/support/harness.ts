/**
 * A stream table in real DynamoDB Local and a real local function (a handler file the test writes,
 * run by local/lambda in its own Node process), joined by a local event source mapping configured
 * from a synthesized-style aws_lambda_event_source_mapping. Invocations are recorded with their
 * start and end times, records and results, for the test to compare with what Lambda does.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { dynamoClient, DynamoDbLocal, streamsClient } from '../../../local/dynamodb-local';
import { LocalFunction } from '../../../local/lambda/function-host';
import type { Discard, InvokeResult } from '../../../local/mapping/batch-delivery';
import { EventSourceMapping } from '../../../local/mapping/event-source-mapping';
import type { OnFailureRecord } from '../../../local/mapping/on-failure-record';
import { mappingSettings } from '../../../local/mapping/settings';
import { createStreamTable } from '../../../local/stream-reader';

export interface Invocation {
  readonly records: DynamoDBRecord[];
  readonly keys: string[];
  readonly started: number;
  readonly ended: number;
  readonly result: InvokeResult;
}

export interface Pipeline {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly streamArn: string;
  readonly mapping: EventSourceMapping;
  readonly fn: LocalFunction;
  readonly invocations: Invocation[];
  readonly discards: Discard[];
  readonly onFailure: OnFailureRecord[];
  readonly filtered: number[];
  put(pk: string, attributes?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

/** `handler` is the body of a CommonJS module exporting `handler` (plain JavaScript). */
export async function pipeline(
  db: DynamoDbLocal,
  handler: string,
  mapping: Record<string, unknown>,
  fn: { timeout?: number; startLater?: boolean } = {},
): Promise<Pipeline> {
  const table = `esm-${process.pid}-${++counter}`;
  const client = dynamoClient(db.endpoint);
  const streamArn = await createStreamTable(client, table);
  const code = mkdtempSync(join(tmpdir(), 'fn-'));
  writeFileSync(join(code, 'index.js'), handler);
  const local = new LocalFunction({
    name: `fn-${table}`,
    arn: `arn:aws:lambda:eu-west-1:000000000000:function:fn-${table}`,
    region: 'eu-west-1',
    codeDirectory: code,
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    timeoutSeconds: fn.timeout ?? 10,
    memorySize: 128,
    environment: { TABLE: table },
  });
  const invocations: Invocation[] = [];
  const discards: Discard[] = [];
  const onFailure: OnFailureRecord[] = [];
  const filtered: number[] = [];
  const esm = new EventSourceMapping({
    name: `mapping-${table}`,
    streams: streamsClient(db.endpoint),
    streamArn,
    region: 'eu-west-1',
    settings: mappingSettings(`mapping-${table}`, { starting_position: 'TRIM_HORIZON', ...mapping }),
    partitionKey: 'pk',
    functionArn: local.definition.arn,
    invoke: async (event) => {
      const started = Date.now();
      const result = await local.invoke(event);
      invocations.push({
        records: event.Records,
        keys: event.Records.map((r) => r.dynamodb!.Keys!.pk.S!),
        started,
        ended: Date.now(),
        result,
      });
      return result;
    },
    onFailure: async (record) => {
      onFailure.push(record);
    },
    pollIntervalMs: 50,
    retryBackoffMs: () => 0,
    listener: { discarded: (_, d) => discards.push(d), filtered: (_, n) => filtered.push(n) },
  });
  if (!fn.startLater) await esm.start();
  return {
    client,
    table,
    streamArn,
    mapping: esm,
    fn: local,
    invocations,
    discards,
    onFailure,
    filtered,
    put: async (pk, attributes = {}) => {
      const item = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { S: v }]));
      await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...item } }));
    },
    stop: async () => {
      await esm.stop();
      await local.stop();
      client.destroy();
    },
  };
}

/** Sequence numbers of every delivered record, in delivery order. */
export const delivered = (p: Pipeline) =>
  p.invocations.filter((i) => i.result.ok).flatMap((i) => i.records.map((r) => r.dynamodb!.SequenceNumber!));
