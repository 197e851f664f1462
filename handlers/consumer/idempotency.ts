/**
 * At-most-once processing of each change by its identity (Change.id), on the idempotency table
 * StreamConsumer creates with `idempotency` (docs/consumer-toolkit.md). Our own on conditional
 * writes rather than Powertools idempotency: Powertools keys records by a JMESPath over the
 * payload and hashes the whole record, so a Kinesis duplicate (another sequence number, same
 * change) would pass as new; it also needs GetItem and UpdateItem. Here the key is the change's
 * identity and each change costs two writes: PutItem to claim it, PutItem to mark it done
 * (DeleteItem only when the handler fails, to release the claim).
 *
 * Item: { id, status: IN_PROGRESS | COMPLETED, lockedUntil (epoch ms), token, expiresAt (TTL, epoch s) };
 * windows on Kinesis add `folded#<change id>` markers (folded.ts): BatchWriteItem and BatchGetItem.
 * A claim left by a crashed invocation blocks the change until `lockedUntil` (the invocation's
 * deadline): Lambda's retry comes after it, so the retry can claim it again.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'crypto';
import { CONSUMER_TOOLKIT_ENV, DEFAULT_IDEMPOTENCY_TTL_SECONDS } from '../contract';
import { FoldedMarkerOptions, foldedElsewhere, writeMarkers } from './folded';

/** Environment variable StreamConsumer sets with `idempotency`: the name of the idempotency table. */
export const IDEMPOTENCY_TABLE_ENV = CONSUMER_TOOLKIT_ENV.idempotencyTable;
/**
 * Environment variable StreamConsumer sets with `idempotency`: how many seconds a processed change
 * is remembered (the table's TTL). Unset means DEFAULT_IDEMPOTENCY_TTL_SECONDS.
 */
export const IDEMPOTENCY_TTL_ENV = CONSUMER_TOOLKIT_ENV.idempotencyTtlSeconds;
export { DEFAULT_IDEMPOTENCY_TTL_SECONDS };

/** The minimal client the store needs: an `@aws-sdk/client-dynamodb` DynamoDBClient fits. */
export interface CommandSender {
  /** Sends one `@aws-sdk/client-dynamodb` command (PutItemCommand, DeleteItemCommand) and resolves to its output. */
  send(command: any): Promise<any>;
}

/** What claiming a change found. */
export type Claim = { readonly state: 'claimed'; readonly token: string } | { readonly state: 'done' } | { readonly state: 'busy' };

/** A `Put` for TransactWriteItems (the shape of `@aws-sdk/client-dynamodb`'s). */
export interface TransactPut {
  /** The conditional Put: place it in `TransactItems` next to the handler's own writes. */
  readonly Put: {
    TableName: string;
    Item: Record<string, AttributeValue>;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  };
}

/**
 * Where the toolkit remembers which changes (and window flushes) were processed. DynamoDBIdempotencyStore
 * is the one StreamConsumer's `idempotency` table backs; implement this to keep the records elsewhere
 * (each call must be atomic for one `id`, or two invocations can both process a change).
 */
export interface IdempotencyStore {
  /**
   * Takes the change `id` for this invocation until `lockedUntilMs` (epoch ms, normally the
   * invocation's deadline). `claimed` (with the token to complete or release it) when it is new,
   * its last holder's lock ran out or its record expired; `done` when it was processed; `busy` when
   * another invocation holds it now.
   */
  claim(id: string, lockedUntilMs: number): Promise<Claim>;
  /** Records `id` processed, so later deliveries find it `done` until the record expires. */
  complete(id: string): Promise<void>;
  /**
   * Gives back a claim after the handler failed, so Lambda's retry can claim it at once. Does nothing
   * when the claim is no longer `token`'s (its lock ran out and another invocation took it).
   */
  release(id: string, token: string): Promise<void>;
  /**
   * The write that marks the change done, for the handler's own TransactWriteItems: the side
   * effect and the mark commit together, so a crash between them cannot apply the change twice.
   * Conditioned on the claim still being ours.
   */
  completionPut?(id: string, token: string): TransactPut;
  /** A Put that records `id` done once: it fails (ConditionalCheckFailed) when `id` is already recorded. */
  partPut?(id: string): TransactPut;
  /**
   * Records that each change in `changeIds` was folded into flush `flushId` of window `windowKey`
   * (windowHandler on Kinesis, before the flush commits). Needed with a Kinesis source.
   */
  markFolded?(changeIds: readonly string[], flushId: string, windowKey: string): Promise<void>;
  /**
   * Of `changeIds` (distinct), those a COMPLETED flush of another window than `windowKey` folded:
   * a Kinesis duplicate arriving in a later window than its original. Needed with a Kinesis source.
   */
  foldedElsewhere?(changeIds: readonly string[], windowKey: string): Promise<Set<string>>;
}

/** Where a DynamoDBIdempotencyStore keeps its records. */
export interface DynamoDBIdempotencyStoreOptions {
  /** The DynamoDB client to send with (a `DynamoDBClient`); its role needs PutItem and DeleteItem on the table. */
  readonly client: CommandSender;
  /**
   * The idempotency table: partition key `id` (string), TTL on `expiresAt`. StreamConsumer's
   * `idempotency` creates one and passes its name in IDEMPOTENCY_TABLE_ENV.
   */
  readonly tableName: string;
  /** How long a completed change is remembered. Must exceed how long the change can be re-delivered. @default 14 days (what StreamConsumer sets by default) */
  readonly ttlSeconds?: number;
  /** Clock in epoch ms (tests). @default Date.now */
  readonly now?: () => number;
  /** Waits between attempts of a batch call DynamoDB left partly unprocessed (tests). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The IdempotencyStore on a DynamoDB table, by conditional writes: two PutItems per change (claim,
 * then done), a DeleteItem only when the handler fails. `changeHandler` and `windowHandler` make
 * one from the environment; construct it yourself to pass your own client or table.
 */
export class DynamoDBIdempotencyStore implements IdempotencyStore {
  private readonly commands: Promise<typeof import('@aws-sdk/client-dynamodb')>;
  private readonly now: () => number;
  private readonly ttlSeconds: number;

  constructor(private readonly options: DynamoDBIdempotencyStoreOptions) {
    this.commands = import('@aws-sdk/client-dynamodb');
    this.now = options.now ?? Date.now;
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  }

  /** {@inheritDoc IdempotencyStore.claim} */
  async claim(id: string, lockedUntilMs: number): Promise<Claim> {
    const { PutItemCommand, ConditionalCheckFailedException } = await this.commands;
    const token = randomUUID();
    const now = this.now();
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            id: { S: id },
            status: { S: 'IN_PROGRESS' },
            lockedUntil: { N: String(lockedUntilMs) },
            token: { S: token },
            expiresAt: { N: String(this.expiry(now)) },
          },
          // New, or a claim whose holder died (its lock ran out), or a record TTL has not removed yet.
          ConditionExpression: 'attribute_not_exists(id) OR (#s = :p AND lockedUntil < :now) OR expiresAt < :nowS',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':p': { S: 'IN_PROGRESS' },
            ':now': { N: String(now) },
            ':nowS': { N: String(Math.floor(now / 1000)) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { state: 'claimed', token };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException) && (e as Error)?.name !== 'ConditionalCheckFailedException') throw e;
      const old = (e as { Item?: Record<string, AttributeValue> }).Item;
      return old?.status?.S === 'COMPLETED' ? { state: 'done' } : { state: 'busy' };
    }
  }

  /** {@inheritDoc IdempotencyStore.complete} */
  async complete(id: string): Promise<void> {
    const { PutItemCommand } = await this.commands;
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: { id: { S: id }, status: { S: 'COMPLETED' }, expiresAt: { N: String(this.expiry(this.now())) } },
      }),
    );
  }

  /** {@inheritDoc IdempotencyStore.completionPut} */
  completionPut(id: string, token: string): TransactPut {
    return {
      Put: {
        TableName: this.options.tableName,
        Item: { id: { S: id }, status: { S: 'COMPLETED' }, expiresAt: { N: String(this.expiry(this.now())) } },
        ConditionExpression: '#t = :t',
        ExpressionAttributeNames: { '#t': 'token' },
        ExpressionAttributeValues: { ':t': { S: token } },
      },
    };
  }

  /** {@inheritDoc IdempotencyStore.partPut} */
  partPut(id: string): TransactPut {
    const now = this.now();
    return {
      Put: {
        TableName: this.options.tableName,
        Item: { id: { S: id }, status: { S: 'COMPLETED' }, expiresAt: { N: String(this.expiry(now)) } },
        ConditionExpression: 'attribute_not_exists(id) OR expiresAt < :nowS',
        ExpressionAttributeValues: { ':nowS': { N: String(Math.floor(now / 1000)) } },
      },
    };
  }

  /** {@inheritDoc IdempotencyStore.markFolded} */
  markFolded(changeIds: readonly string[], flushId: string, windowKey: string): Promise<void> {
    return writeMarkers(this.markers(), changeIds, flushId, windowKey);
  }

  /** {@inheritDoc IdempotencyStore.foldedElsewhere} */
  foldedElsewhere(changeIds: readonly string[], windowKey: string): Promise<Set<string>> {
    return foldedElsewhere(this.markers(), changeIds, windowKey);
  }

  /** {@inheritDoc IdempotencyStore.release} */
  async release(id: string, token: string): Promise<void> {
    const { DeleteItemCommand, ConditionalCheckFailedException } = await this.commands;
    try {
      await this.options.client.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: { id: { S: id } },
          ConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': 'token' },
          ExpressionAttributeValues: { ':t': { S: token } },
        }),
      );
    } catch (e) {
      // Someone else's claim now (ours ran out): theirs to settle.
      if (!(e instanceof ConditionalCheckFailedException) && (e as Error)?.name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  private expiry(nowMs: number): number {
    return Math.floor(nowMs / 1000) + this.ttlSeconds;
  }

  private markers(): FoldedMarkerOptions {
    const { client, tableName, sleep } = this.options;
    return { client, tableName, sleep, now: this.now, expiry: (nowMs) => this.expiry(nowMs) };
  }
}

/** The store on the idempotency table StreamConsumer's `idempotency` created (its environment), or false without one. */
export async function idempotencyStoreFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<DynamoDBIdempotencyStore | false> {
  const tableName = env[IDEMPOTENCY_TABLE_ENV];
  if (!tableName) return false;
  const ttl = env[IDEMPOTENCY_TTL_ENV];
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  return new DynamoDBIdempotencyStore({ client: new DynamoDBClient({}), tableName, ttlSeconds: ttl ? Number(ttl) : undefined });
}
