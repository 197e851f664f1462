/**
 * Replica writer: the Lambda behind one region's stream event source mapping (docs/replication-protocol.md,
 * "What a region's writer does"). Thin on purpose: decode -> plan per key (handlers/replicate/key-plan.ts)
 * -> write (handlers/replicate/execute.ts) -> report per record through Powertools' batch
 * processor (ReportBatchItemFailures), one JSON log line and EMF metrics per invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda';
import { ClientFactory, lambdaClientFactory } from '../common/clients';
import { configFromEnv, ReplicationConfig } from './config';
import { DEFAULT_PARK_MAX_BYTES } from '../common/sqs-message-size';
import { executeKey, ExecuteDeps, KeyOutcome, parkUndecodable, withConcurrency } from './execute';
import { dynamoKeyStateStore, KeyStateStore } from './key-state';
import { Backlog, dynamoBacklog } from './backlog';
import { TargetBreaker } from './breaker';
import { Parker, sqsParker } from './park';
import { KeyState, KeyWork, planKey } from './key-plan';
import { DEFAULT_KINESIS_WAIT_MS, imageDigest, orderKinesisKey } from './kinesis-order';
import { foldedState, planFold } from './kinesis-fold';
import type { DecodedRecord } from '../common/decode';
import { EventRecord, readBatch, SourceBatch } from './source-batch';
import { isRedriveEvent } from '../common/stream-record';
import { compareSequenceNumbers } from '../lww';
import { METRIC_DIMENSIONS, REPLICATION_METRICS_NAMESPACE } from '../contract';
import { publishTally, Tally } from './tally';

export { configFromEnv } from './config';
export { WRITER_ENV } from '../contract';
export type { ReplicaTarget, ReplicationConfig } from './config';
export type { ClientFactory } from '../common/clients';
export type { Parker } from './park';

export interface ReplicateHandlerOptions {
  /** @default configFromEnv(process.env) */
  readonly config?: ReplicationConfig;
  /** @default the Lambda environment's credentials (assumed roles for other accounts) */
  readonly clients?: ClientFactory;
  /** @default SendMessage to the configured failure queue */
  readonly parker?: Parker;
  /** @default the configured state table in the source region */
  readonly state?: KeyStateStore;
  /** @default the configured backlog table in the source region (none: a failed target's records are retried) */
  readonly backlog?: Backlog;
  /** Clock in epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Called with each invocation's counts after metrics are published (tests, local runs). */
  readonly onInvocation?: (summary: ReturnType<Tally['summary']>) => void;
}

/** The event of a DynamoDB stream mapping, or of a Kinesis mapping on a table's Kinesis data stream. */
export type ReplicateHandler = (event: DynamoDBStreamEvent | KinesisStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the handler and its clients (done once per container, at cold start). */
export function createReplicateHandler(options: ReplicateHandlerOptions = {}): ReplicateHandler {
  const config = options.config ?? configFromEnv();
  const clients = options.clients ?? lambdaClientFactory(config);
  const source: DynamoDBClient = clients.dynamo({ region: config.sourceRegion, endpoint: config.sourceEndpoint });
  const targets = config.targets.map((target) => ({ target, client: clients.dynamo(target) }));
  const state = options.state ?? dynamoKeyStateStore(source, config.stateTable);
  const backlog = options.backlog ?? (config.backlogTable ? dynamoBacklog(source, config.backlogTable) : undefined);
  // Per container: a target that failed costs one timeout here, not one per record.
  const breaker = new TargetBreaker(config.targetCooldownMs ?? 30_000);
  const parker =
    options.parker ??
    sqsParker(
      clients.sqs(config.failureQueueUrl),
      config.failureQueueUrl,
      config.sourceRegion,
      config.parkMaxBytes ?? DEFAULT_PARK_MAX_BYTES,
    );
  const now = options.now ?? Date.now;
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dynamodb-replica-writer' });
  logger.appendPersistentKeys({ sourceRegion: config.sourceRegion });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? REPLICATION_METRICS_NAMESPACE,
    defaultDimensions: { [METRIC_DIMENSIONS.sourceRegion]: config.sourceRegion },
  });
  const perTarget = new Map<string, Metrics>();
  const targetMetrics = (region: string) => {
    let m = perTarget.get(region);
    if (!m) {
      m = new Metrics({
        namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? REPLICATION_METRICS_NAMESPACE,
        defaultDimensions: { [METRIC_DIMENSIONS.sourceRegion]: config.sourceRegion, [METRIC_DIMENSIONS.targetRegion]: region },
      });
      perTarget.set(region, m);
    }
    return m;
  };
  return async (event, context) => {
    const tally = new Tally();
    const records = event.Records ?? [];
    tally.records = records.length;
    const outOfOrder = isRedriveEvent(event);
    const deps: ExecuteDeps = {
      config,
      source,
      targets,
      parker,
      state,
      backlog,
      breaker,
      deadline: invocationDeadline(context, config),
      tally,
      now,
      outOfOrder,
      log: (level, message, extra) => logger[level](message, extra),
    };
    const batch = readBatch(records as EventRecord[]);
    const outcomeOf = new Map<EventRecord, Promise<KeyOutcome>>();
    const keyRuns = planKeys(batch, deps).then(
      (plans) =>
        withConcurrency(
          config.concurrency,
          plans.map((work) => () => executeKey(work, deps)),
        ),
      // Without the saved floors no key can be planned safely: the whole batch is retried.
      (e) => [...batch.keys.keys()].map(() => ({ ok: false as const, reason: `reading the key state failed: ${(e as Error).message}` })),
    );
    [...batch.keys.keys()].forEach((keyId, i) => {
      const outcome = keyRuns.then((all) => all[i]);
      for (const r of batch.delivered.get(keyId)!) outcomeOf.set(r, outcome);
    });
    for (const { record, reason } of batch.undecodable) outcomeOf.set(record, parkUndecodable(record, reason, deps));
    const response = await processPartialResponse(
      event as never,
      async (record: EventRecord) => {
        const outcome = await outcomeOf.get(record);
        if (!outcome?.ok) throw new Error(outcome ? outcome.reason : 'record was not planned');
      },
      // One processor per invocation: it keeps the batch's state, and tests share one handler.
      new BatchProcessor(batch.kind === 'kinesis' ? EventType.KinesisDataStreams : EventType.DynamoDBStreams),
      { context, throwOnFullBatchFailure: false },
    );
    tally.failedRecords = response.batchItemFailures.length;
    publishTally(tally, metrics, targetMetrics);
    const summary = tally.summary();
    logger.info('batch replicated', { ...summary, awsRequestId: context?.awsRequestId });
    options.onInvocation?.(summary);
    return response as DynamoDBBatchResponse;
  };
}

/**
 * Fires when target writes must stop waiting: what remains of the invocation, less one request's
 * time to keep the copies in the backlog and answer (at most half of what remains).
 */
function invocationDeadline(context: Context | undefined, config: ReplicationConfig): AbortSignal | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined || !Number.isFinite(remaining)) return undefined;
  const reserve = Math.min(remaining / 2, (config.requestTimeoutMs ?? 3000) + 1000);
  return AbortSignal.timeout(Math.max(1, Math.floor(remaining - reserve)));
}

/**
 * Plans every key of the batch, from the floors earlier batches saved for some of them. A redriven
 * record is older than what the saved state covers: it is planned from its own images. Kinesis
 * changes are first put back in order (kinesis-order.ts).
 */
async function planKeys(batch: SourceBatch, deps: ExecuteDeps): Promise<KeyWork[]> {
  const { config } = deps;
  const saved = deps.outOfOrder ? new Map<string, KeyState>() : await deps.state.load([...batch.keys.keys()]);
  return [...batch.keys.entries()].map(([keyId, list]) => {
    const state = saved.get(keyId);
    const plan = (records: DecodedRecord[], from?: KeyState) => planKey(keyId, records, config.sourceRegion, config.names, from);
    if (batch.kind !== 'kinesis' || deps.outOfOrder) return plan(list, state);
    const order = orderKinesisKey(list, state, deps.now(), config.kinesisWaitMs ?? DEFAULT_KINESIS_WAIT_MS);
    if (order.kind === 'wait')
      return {
        ...plan([]),
        records: list,
        last: list[list.length - 1],
        // A key never settled before keeps the time too (position 0: nothing covered yet), or its wait would never end.
        wait: { state: { ...(state ?? { position: '0' }), waitingSince: order.since }, reason: order.reason },
      };
    if (order.gapAccepted) deps.tally.wentAhead++;
    const fold = order.late.length ? planFoldOf(order.late, state, config.sourceRegion, plan) : undefined;
    const from = fold ? foldedState(state!, fold) : state;
    const work = order.fresh.length ? plan(order.fresh, from) : undefined;
    // An application write among the fresh changes supersedes every late one, as a settled one does;
    // otherwise a late one after the last settled one is the last, once settled.
    const before = order.late.length ? planLate(order.late, work?.localPosition !== undefined ? work : from, plan) : undefined;
    const latest = [work, before].find((w) => w?.localPosition !== undefined) ?? from;
    const local = { localPosition: latest?.localPosition, ...(latest?.localVersion ? { localVersion: latest.localVersion } : {}) };
    if (!work) {
      const moved = fold || before!.localPosition !== undefined;
      return { ...before!, ...(fold ? { fold } : {}), ...(moved ? { lateState: { ...from!, ...local } } : {}) };
    }
    const last = order.fresh[order.fresh.length - 1];
    return {
      ...work,
      ...(before ? { before } : {}),
      ...(fold ? { fold } : {}),
      saveState: { image: imageDigest(last.newImage), ...local },
    };
  });
}

/**
 * The fold a key's late changes call for (kinesis-fold.ts): those made before its last settled
 * application write may show that write's version too low.
 */
function planFoldOf(late: DecodedRecord[], state: KeyState | undefined, self: string, plan: (records: DecodedRecord[]) => KeyWork) {
  const at = state?.localPosition;
  if (at === undefined) return undefined;
  const preceding = late.filter((r) => compareSequenceNumbers(r.position, at) < 0);
  return preceding.length ? planFold(preceding[0], plan(preceding).floor, state, self) : undefined;
}

/**
 * A key's late Kinesis changes: those at or before its last application write (`local`) were made
 * before that write, which supersedes them; the rest are settled like a batch delivered again,
 * from the version that write was given (they were made after it).
 */
function planLate(
  late: DecodedRecord[],
  local: { localPosition?: string; localVersion?: string } | undefined,
  plan: (records: DecodedRecord[], from?: KeyState) => KeyWork,
): KeyWork {
  const at = local?.localPosition;
  const work = plan(late, at === undefined ? undefined : { position: at, ...(local?.localVersion ? { floor: local.localVersion } : {}) });
  return { ...work, records: late, last: late[late.length - 1], late: true };
}

let defaultHandler: ReplicateHandler | undefined;

// In Lambda, build the clients during the init phase (before the first event); elsewhere (tests,
// tools importing this module) only on first use, so importing needs no environment.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) defaultHandler = createReplicateHandler();

/** The Lambda entry point (handler "index.handler" in the bundle). */
export const handler: ReplicateHandler = (event, context) => (defaultHandler ??= createReplicateHandler())(event, context);
