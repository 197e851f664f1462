/**
 * A FAKE SQS (there is no SQS counterpart to DynamoDB Local): an HTTP server on 127.0.0.1 that
 * answers the JSON-protocol SendMessage the real SQS client sends, with the MD5 the client checks,
 * and keeps the messages for assertions. Point a queue URL at it: the SQS client uses the queue
 * URL's host as its endpoint.
 */
import { createHash, randomUUID } from 'crypto';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';

export interface FakeSqs {
  readonly queueUrl: string;
  readonly messages: { body: string; queueUrl: string }[];
  /** Makes the next `n` SendMessage calls fail with a 500 (a transient SQS outage). */
  failNext(n: number): void;
  stop(): Promise<void>;
}

export async function startFakeSqs(queueName = 'replication-failures'): Promise<FakeSqs> {
  const messages: FakeSqs['messages'] = [];
  let failures = 0;
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
        return reply(500, { __type: 'com.amazonaws.sqs#InternalError', message: 'injected by the fake SQS' });
      }
      if (target !== 'AmazonSQS.SendMessage')
        return reply(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: `fake SQS only does SendMessage (got ${target})` });
      const input = JSON.parse(body) as { QueueUrl: string; MessageBody: string };
      messages.push({ body: input.MessageBody, queueUrl: input.QueueUrl });
      reply(200, { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(input.MessageBody, 'utf8').digest('hex') });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    queueUrl: `http://127.0.0.1:${port}/000000000000/${queueName}`,
    messages,
    failNext: (n) => (failures = n),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The SQS client warns on every call that the queue URL's host is not the region's SQS endpoint,
 * which is the point of a local queue: silence that one warning for the calling test file.
 */
export function quietLocalQueueUrlWarnings(): void {
  const warn = console.warn.bind(console);
  jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith('QueueUrl=')) warn(...args);
  });
}
