/**
 * A FAKE Lambda Invoke endpoint (the Lambda service has no local counterpart): an HTTP server on
 * 127.0.0.1 that answers `POST /2015-03-31/functions/{name}/invocations` by running the handler
 * registered under that function's name in this process, with the event JSON round-tripped as
 * Lambda does, and answers as Invoke (RequestResponse) does: the result as the payload, or
 * `X-Amz-Function-Error: Unhandled` with the error when the handler throws. Point the SDK at it
 * with AWS_ENDPOINT_URL_LAMBDA.
 */
import { createServer } from 'http';
import { AddressInfo } from 'net';

export type InProcessHandler = (event: any) => Promise<unknown>;

export interface FakeLambda {
  readonly endpoint: string;
  /** The FunctionName of every invocation, as sent. */
  readonly invoked: string[];
  stop(): Promise<void>;
}

/** `functions`: handlers by function name (an ARN in the request is matched by its name). */
export async function startFakeLambda(functions: Record<string, InProcessHandler>): Promise<FakeLambda> {
  const invoked: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...headers });
        res.end(JSON.stringify(payload));
      };
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      const functionName = m ? decodeURIComponent(m[1]) : '';
      const handler = functions[functionName.replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, '').split(':')[0]];
      if (!handler)
        return reply(
          404,
          { Type: 'User', Message: `Function not found: ${functionName}` },
          { 'x-amzn-errortype': 'ResourceNotFoundException' },
        );
      invoked.push(functionName);
      try {
        reply(200, (await handler(JSON.parse(body))) ?? null);
      } catch (e) {
        reply(200, { errorType: (e as Error).name, errorMessage: (e as Error).message }, { 'x-amz-function-error': 'Unhandled' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invoked,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
