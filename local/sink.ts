/**
 * Where messages go locally that would go to SQS or SNS in AWS: a FAKE SQS endpoint (there is no
 * SQS counterpart to DynamoDB Local) on 127.0.0.1 that answers the JSON-protocol SendMessage and
 * SendMessageBatch the real SQS client sends (with the MD5 the client checks), and the
 * destination of the on-failure records the local event source mappings produce. Messages are
 * kept per queue (or topic) name, and appended to `<name>.jsonl` in a folder when one is given.
 * A queue URL's host is the endpoint the SQS client uses, so functions reach it by their
 * synthesized queue URL (local-account.ts points those at this server).
 */
import { createHash, randomUUID } from 'crypto';
import { appendFileSync, mkdirSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface SinkMessage {
  /** Queue or topic name. */
  readonly destination: string;
  readonly body: string;
  /** How it arrived: an SQS call from a function, or an on-failure record from a mapping. */
  readonly via: 'SendMessage' | 'on-failure';
  readonly at: number;
}

export interface LocalSink {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  queueUrl(queueName: string): string;
  readonly messages: readonly SinkMessage[];
  /** Delivers an on-failure record to the queue or topic an ARN names. */
  deliver(destinationArn: string, body: string): void;
  /** Makes the next `n` SQS calls fail with a 500 (a transient SQS outage). */
  failNext(n: number): void;
  stop(): Promise<void>;
}

/**
 * arn:aws:sqs:<region>:<account>:<name>, arn:aws:sns:... or an S3 bucket's arn:aws:s3:::<bucket> -> name.
 * An S3 destination keeps the on-failure record too (AWS writes the whole batch into an object;
 * locally what matters is that a batch was given up on, and where it went).
 */
function destinationName(arn: string): string {
  const m = /^arn:aws[\w-]*:(?:sqs|sns):[\w-]*:\d*:([\w.-]+)$/.exec(arn) ?? /^arn:aws[\w-]*:s3:::([\w.-]+)$/.exec(arn);
  if (!m) throw new Error(`the local sink takes SQS queue, SNS topic and S3 bucket ARNs only (got ${arn})`);
  return m[1];
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

export interface LocalSinkOptions {
  /** Where `<name>.jsonl` files are appended; none when absent. */
  readonly folder?: string;
  /** Called with every message as it is kept (test/support/fake-sqs.ts keeps its own list). */
  readonly onMessage?: (m: SinkMessage) => void;
}

export async function startLocalSink(options: LocalSinkOptions = {}): Promise<LocalSink> {
  const messages: SinkMessage[] = [];
  let failures = 0;
  if (options.folder) mkdirSync(options.folder, { recursive: true });
  const keep = (m: SinkMessage) => {
    messages.push(m);
    options.onMessage?.(m);
    if (options.folder) appendFileSync(join(options.folder, `${m.destination}.jsonl`), JSON.stringify(m) + '\n');
  };
  const queueOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(json));
      };
      if (failures > 0) {
        failures--;
        return reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'injected by the local sink' });
      }
      const input = JSON.parse(body || '{}');
      if (target === 'AmazonSQS.SendMessage') {
        keep({ destination: queueOf(input.QueueUrl), body: input.MessageBody, via: 'SendMessage', at: Date.now() });
        return reply(200, { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody) });
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const ok = (input.Entries ?? []).map((e: { Id: string; MessageBody: string }) => {
          keep({ destination: queueOf(input.QueueUrl), body: e.MessageBody, via: 'SendMessage', at: Date.now() });
          return { Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody) };
        });
        return reply(200, { Successful: ok, Failed: [] });
      }
      reply(400, {
        __type: 'com.amazonaws.sqs#InvalidAction',
        message: `the local sink only takes SendMessage and SendMessageBatch (got ${target || 'no X-Amz-Target'})`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/${LOCAL_ACCOUNT_ID}/${name}`,
    messages,
    deliver: (arn, body) => keep({ destination: destinationName(arn), body, via: 'on-failure', at: Date.now() }),
    failNext: (n) => (failures = n),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
