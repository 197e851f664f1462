/**
 * A FAKE SQS (there is no SQS counterpart to DynamoDB Local) for one queue: the local runtime's
 * sink (local/sink.ts), which answers the JSON-protocol SendMessage and SendMessageBatch the real
 * SQS client sends, with the MD5 the client checks. This view keeps the messages sent to it in a
 * list a test may read and clear. Point a queue URL at it: the SQS client uses the queue URL's
 * host as its endpoint.
 *
 * Why not the `fauxqs` emulator: see CONTRIBUTING.md, "Fakes".
 */
import { startLocalSink } from '../../local/sink';

export interface FakeSqs {
  readonly queueUrl: string;
  /** Every message sent to the server, oldest first (tests may splice it). */
  readonly messages: { body: string; queueUrl: string }[];
  /** Makes the next `n` SendMessage calls fail with a 500 (a transient SQS outage). */
  failNext(n: number): void;
  stop(): Promise<void>;
}

export async function startFakeSqs(queueName = 'replication-failures'): Promise<FakeSqs> {
  const messages: FakeSqs['messages'] = [];
  const sink = await startLocalSink({
    onMessage: (m) => {
      if (m.via === 'SendMessage') messages.push({ body: m.body, queueUrl: sink.queueUrl(m.destination) });
    },
  });
  return { queueUrl: sink.queueUrl(queueName), messages, failNext: sink.failNext, stop: sink.stop };
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
