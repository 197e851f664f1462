/**
 * SDK clients of the replica writer and its drainer, one per target (and one for the source
 * table), built once per Lambda container. A target in another account is written with
 * credentials of an assumed role, refreshed before they expire (the backfill CLI assumes roles the
 * same way).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface Endpoint {
  readonly region: string;
  readonly endpoint?: string;
  readonly roleArn?: string;
}

/** How the writer gets its clients; tests pass one that points at DynamoDB Local. */
export interface ClientFactory {
  dynamo(target: Endpoint): DynamoDBClient;
  sqs(queueUrl: string): SQSClient;
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** How long one request may take: a target that hangs costs at most this per attempt. */
export interface RequestLimits {
  /** SDK attempts per request, first try included. */
  readonly maxAttempts: number;
  /** ms to open a connection. @default 1000 */
  readonly connectTimeoutMs?: number;
  /** ms a request may wait for its answer once sent. @default 3000 */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 3000;

/** The SDK client options every client of the writer uses: bounded attempts, each with a timeout. */
export function boundedRequests(limits: RequestLimits): { maxAttempts: number; requestHandler: NodeHttpHandler } {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      requestTimeout: limits.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it this handler version only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    }),
  };
}

/** Credentials of `roleArn`, assumed with the function's own credentials, cached until near expiry. */
export function assumedRole(
  roleArn: string,
  region: string,
  sessionName = 'dynamodb-replica-writer',
  limits: RequestLimits = { maxAttempts: 3 },
): AwsCredentialIdentityProvider {
  // The nested STS client has no credential chain of its own: give it the function's (in the
  // bundle the Node chain is swapped for the environment provider Lambda uses).
  const sts = new STSClient({ region, credentials: defaultProvider(), ...boundedRequests(limits) });
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expires = 0;
  return () => {
    if (!current || Date.now() > expires - REFRESH_MARGIN_MS) {
      current = sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName })).then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
        expires = c.Expiration ? c.Expiration.getTime() : Date.now() + 15 * 60 * 1000;
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      });
      current.catch(() => (current = undefined));
    }
    return current;
  };
}

/** The clients Lambda uses: the function's environment credentials, or an assumed role per target. */
export function lambdaClientFactory(limits: RequestLimits | number): ClientFactory {
  const bounded = typeof limits === 'number' ? { maxAttempts: limits } : limits;
  return {
    dynamo: (t) =>
      new DynamoDBClient({
        region: t.region,
        endpoint: t.endpoint,
        ...boundedRequests(bounded),
        credentials: t.roleArn ? assumedRole(t.roleArn, t.region, undefined, bounded) : undefined,
      }),
    sqs: () => new SQSClient({ ...boundedRequests(bounded) }),
  };
}
