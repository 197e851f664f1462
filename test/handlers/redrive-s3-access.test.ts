/**
 * How the S3 redrive reads a failure object that may have expired, against s3rver (an
 * S3-compatible server) behind a FAKE of S3's authorization: s3rver answers every caller as the
 * owner, so a missing key is always NoSuchKey and it hides what S3 does for a caller without
 * s3:ListBucket. The fake models S3's documented behaviour (GetObject API reference,
 * "Permissions": without s3:ListBucket a missing key is 403 AccessDenied, with it 404 NoSuchKey)
 * and grants exactly the actions of the synthesized redrive role on the failure bucket.
 */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Testing } from 'cdktf';
import S3rver from 's3rver';
import { readFailureObject } from '../../handlers/redrive/s3-failure-object';
import { StreamPipeline } from '../../modules/stream-pipeline';
import { CACHE_DIR, HANDLER_ENTRY, newStack } from '../support/consumer-stack';

const BUCKET = 'orders-failures';
const REGION = 'eu-west-1';
let server: S3rver;
let s3: S3Client;

beforeAll(async () => {
  server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 's3rver-')),
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  s3 = new S3Client({
    region: REGION,
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

/** The S3 actions the synthesized redrive role allows on the failure bucket and its objects. */
function synthesizedBucketActions(): Set<string> {
  const stack = newStack();
  const p = new StreamPipeline(stack, 'Orders', {
    table: { tableName: 'orders', partitionKey: { name: 'pk', type: 'S' } },
    consumer: { code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } } },
    failureDestination: { kind: 's3' },
    redrive: true,
    alarms: false,
  });
  Testing.synth(stack);
  const bucketArn = p.failureDestination!.bucketArn!;
  return new Set(
    p
      .redrive!.policyStatements.filter((s) => s.resources.some((r) => r === bucketArn || r.startsWith(`${bucketArn}/`)))
      .flatMap((s) => s.actions),
  );
}

const accessDenied = () =>
  new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });

/**
 * FAKE S3 authorization in front of s3rver: `granted` are the caller's IAM actions on the bucket;
 * `deniedKeys` are keys some other policy (a bucket policy, a KMS key policy) denies GetObject on.
 */
function authorized(granted: Set<string>, deniedKeys: Set<string> = new Set()) {
  const calls: string[] = [];
  const client = {
    async send(command: any) {
      if (command instanceof GetObjectCommand) {
        calls.push('GetObject');
        if (!granted.has('s3:GetObject') || deniedKeys.has(command.input.Key!)) throw accessDenied();
        try {
          return await s3.send(command);
        } catch (e) {
          if ((e as Error).name === 'NoSuchKey' && !granted.has('s3:ListBucket')) throw accessDenied();
          throw e;
        }
      }
      if (command instanceof ListObjectsV2Command) {
        calls.push('ListObjectsV2');
        if (!granted.has('s3:ListBucket')) throw accessDenied();
        return s3.send(command);
      }
      throw new Error(`the fake does not model ${command.constructor.name}`);
    },
  };
  return { client: client as unknown as S3Client, calls };
}

const object = (key: string) => ({ bucket: BUCKET, key, region: REGION });

describe('reading S3 failure objects with the synthesized grants', () => {
  const granted = synthesizedBucketActions();

  test('GIVEN the synthesized redrive role THEN it may GetObject and ListBucket on the failure bucket, and nothing else there', () => {
    expect([...granted].sort()).toEqual(['s3:GetObject', 's3:ListBucket']);
  });

  test('GIVEN an object that exists WHEN read THEN its text comes back, with one GetObject', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'aws/lambda/present', Body: '{"a":1}' }));
    const { client, calls } = authorized(granted);
    expect(await readFailureObject(client, object('aws/lambda/present'))).toEqual({ found: true, text: '{"a":1}' });
    expect(calls).toEqual(['GetObject']);
  });

  test('GIVEN an expired object and the synthesized grants WHEN read THEN S3 answers NoSuchKey and the object is gone at once (parked, not retried for hours)', async () => {
    const { client, calls } = authorized(granted);
    expect(await readFailureObject(client, object('aws/lambda/expired'))).toEqual({
      found: false,
      reason: `NoSuchKey: s3://${BUCKET}/aws/lambda/expired`,
    });
    expect(calls).toEqual(['GetObject']);
  });

  test('GIVEN an expired object and a 403 for it (another policy denies GetObject) WHEN read THEN the key is listed, found missing, and the object is gone', async () => {
    const { client, calls } = authorized(granted, new Set(['aws/lambda/expired-denied']));
    expect(await readFailureObject(client, object('aws/lambda/expired-denied'))).toEqual({
      found: false,
      reason: `AccessDenied for a key the bucket does not list: s3://${BUCKET}/aws/lambda/expired-denied`,
    });
    expect(calls).toEqual(['GetObject', 'ListObjectsV2']);
  });

  test('GIVEN an object that exists but is denied (a real 403) WHEN read THEN AccessDenied is thrown: the message is retried and alarmed, not parked as gone', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'aws/lambda/denied', Body: '{}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'aws/lambda/denied-longer', Body: '{}' }));
    const { client } = authorized(granted, new Set(['aws/lambda/denied']));
    await expect(readFailureObject(client, object('aws/lambda/denied'))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('GIVEN a role without s3:ListBucket (the grant before) WHEN an expired object is read THEN S3 answers 403 and the error says the role needs s3:ListBucket', async () => {
    const { client, calls } = authorized(new Set(['s3:GetObject']));
    await expect(readFailureObject(client, object('aws/lambda/expired'))).rejects.toThrow(
      /S3 denied GetObject of s3:\/\/orders-failures\/aws\/lambda\/expired \(AccessDenied\) .*the redrive role needs s3:ListBucket on the bucket/,
    );
    expect(calls).toEqual(['GetObject', 'ListObjectsV2']);
  });
});
