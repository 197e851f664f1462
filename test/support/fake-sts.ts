/**
 * A FAKE STS (no local counterpart exists): an HTTP server on 127.0.0.1 answering AssumeRole in
 * STS's XML with fixed credentials, and keeping each request's form for assertions. Point the SDK
 * at it with AWS_ENDPOINT_URL_STS, its standard endpoint override.
 */
import { createServer } from 'http';
import { AddressInfo } from 'net';

export const ASSUMED = { accessKeyId: 'ASIAASSUMEDFAKE', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-token' };

export interface FakeSts {
  readonly endpoint: string;
  /** Form fields of every request received. */
  readonly calls: URLSearchParams[];
  stop(): Promise<void>;
}

export async function startFakeSts(): Promise<FakeSts> {
  const calls: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push(new URLSearchParams(body));
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>${ASSUMED.accessKeyId}</AccessKeyId><SecretAccessKey>${ASSUMED.secretAccessKey}</SecretAccessKey><SessionToken>${ASSUMED.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROAFAKE:session</AssumedRoleId><Arn>arn:aws:sts::222222222222:assumed-role/fake/session</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
