/**
 * SDK clients of the replica writer, one per target (and one for the source table), built once
 * per Lambda container. A target in another account is written with credentials of an assumed
 * role, refreshed before they expire.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
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

/** Credentials of `roleArn`, assumed with the function's own credentials, cached until near expiry. */
export function assumedRole(roleArn: string, region: string, sessionName = 'dynamodb-replica-writer'): AwsCredentialIdentityProvider {
  // The nested STS client has no credential chain of its own: give it the function's (in the
  // bundle the Node chain is swapped for the environment provider Lambda uses).
  const sts = new STSClient({ region, credentials: defaultProvider() });
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
export function lambdaClientFactory(maxAttempts: number): ClientFactory {
  return {
    dynamo: (t) =>
      new DynamoDBClient({
        region: t.region,
        endpoint: t.endpoint,
        maxAttempts,
        credentials: t.roleArn ? assumedRole(t.roleArn, t.region) : undefined,
      }),
    sqs: () => new SQSClient({ maxAttempts }),
  };
}
