/**
 * A recording endpoint: a loopback HTTP proxy in front of one stand-in for an AWS endpoint
 * (DynamoDB Local, or a fake SQS, STS or Lambda) that records every request sent through it as AWS
 * would authorize it: the access key it was signed with (which principal made it), the region and
 * service of the SigV4 signature, the API operation, the IAM action that operation needs, and the
 * ARNs of the resources it names. It reads the requests on the wire, so nothing in the SDK or in a
 * handler is hooked: every client that reaches it is recorded, whoever built it.
 *
 * `account` is the AWS account the endpoint stands for (resources named by name get ARNs in it).
 * DynamoDB Local names region `ddblocal` and account `000000000000` in its stream ARNs; with
 * `streamArnsAs` the endpoint shows them to clients as that region's and account's ARNs (and
 * turns them back on the way in), so a handler that takes the region from a stream ARN behaves as
 * it does in AWS.
 */
import { createServer, IncomingHttpHeaders, request } from 'http';
import { AddressInfo } from 'net';
import { crc32 } from 'zlib';

export interface RecordedCall {
  /** The access key id of the signature: which principal made the call. */
  readonly accessKeyId: string;
  readonly region: string;
  /** The SigV4 signing name (`dynamodb` for DynamoDB and DynamoDB Streams, `sqs`, `sts`, `lambda`). */
  readonly service: string;
  /** The API operation, e.g. `PutItem`, `GetRecords`, `AssumeRole`, `Invoke`. */
  readonly operation: string;
  /** The IAM action AWS authorizes the operation with, e.g. `dynamodb:PutItem`, `lambda:InvokeFunction`. */
  readonly action: string;
  /** ARNs of the resources the request names; `*` for an operation without resource-level permissions. */
  readonly resources: string[];
  /**
   * A transaction is authorised item by item, each by its own action (Update -> dynamodb:UpdateItem,
   * Put -> PutItem, Delete -> DeleteItem, ConditionCheck -> ConditionCheckItem, Get -> GetItem):
   * `action resource` per item of a TransactWriteItems or TransactGetItems.
   */
  readonly itemGrants?: string[];
  readonly status: number;
}

export interface RecordingEndpoint {
  /** http://127.0.0.1:<port>: give it to clients instead of the upstream. */
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  stop(): Promise<void>;
}

export interface RecordingOptions {
  /** The endpoint requests are forwarded to, e.g. a DynamoDB Local. */
  readonly upstream: string;
  /** The account the endpoint stands for. */
  readonly account: string;
  /** Show DynamoDB Local's stream ARNs as this region's (in `account`). @default as they are */
  readonly streamArnsAs?: string;
}

/**
 * IAM actions whose name differs from the API operation (Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html: the
 * Invoke API is authorized by lambda:InvokeFunction). Every other operation here is its own action.
 */
const ACTION_OF_OPERATION: Record<string, string> = { 'lambda:Invoke': 'lambda:InvokeFunction' };

const LOCAL_STREAM_ARN = /arn:aws:dynamodb:ddblocal:000000000000:/g;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

export async function startRecordingEndpoint(options: RecordingOptions): Promise<RecordingEndpoint> {
  const upstream = new URL(options.upstream);
  const remotePrefix = options.streamArnsAs ? `arn:aws:dynamodb:${options.streamArnsAs}:${options.account}:` : undefined;
  const toLocal = (s: string) => (remotePrefix ? s.split(remotePrefix).join('arn:aws:dynamodb:ddblocal:000000000000:') : s);
  const toRemote = (s: string) => (remotePrefix ? s.replace(LOCAL_STREAM_ARN, remotePrefix) : s);
  const calls: RecordedCall[] = [];
  // Shard iterators name no stream to IAM's eyes: GetRecords is authorized on the stream the
  // iterator came from, so each iterator handed out is remembered with its stream.
  const iteratorStreams = new Map<string, string>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = signatureOf(req.headers);
      const path = req.url ?? '/';
      const operation = operationOf(req.headers, path, body);
      const forwarded = Buffer.from(toLocal(body), 'utf8');
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(forwarded.length) };
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          const original = Buffer.concat(parts).toString('utf8');
          const text = toRemote(original);
          const reply = Buffer.from(text, 'utf8');
          // The body is passed on whole, so it has a length and no chunked encoding.
          const { 'transfer-encoding': _chunked, ...upHeaders } = up.headers;
          const replyHeaders: IncomingHttpHeaders = { ...upHeaders, 'content-length': String(reply.length) };
          // DynamoDB checks its response bodies against this checksum.
          if (text !== original && replyHeaders['x-amz-crc32']) replyHeaders['x-amz-crc32'] = String(crc32(reply));
          const status = up.statusCode ?? 0;
          const service = signature.service;
          const resources = resourcesOf(service, operation, body, path, signature.region, options.account, iteratorStreams);
          if (service === 'dynamodb' && status === 200) rememberIterators(operation, body, text, iteratorStreams);
          const prefixed = `${service}:${operation}`;
          const itemGrants = operation.startsWith('Transact') ? transactionItemGrants(body, resources) : undefined;
          calls.push({ ...signature, operation, action: ACTION_OF_OPERATION[prefixed] ?? prefixed, resources, itemGrants, status });
          res.writeHead(status, replyHeaders);
          res.end(reply);
        });
      });
      out.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording endpoint: upstream ${options.upstream} failed: ${e.message}`);
      });
      out.end(forwarded);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Access key, region and service from `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...`. */
function signatureOf(headers: IncomingHttpHeaders): { accessKeyId: string; region: string; service: string } {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(headers.authorization ?? ''));
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : { accessKeyId: 'UNSIGNED', region: 'unknown', service: 'unknown' };
}

/** The operation: X-Amz-Target for JSON protocols, Action for query protocols, the path for Lambda Invoke. */
function operationOf(headers: IncomingHttpHeaders, path: string, body: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.indexOf('.') + 1);
  const action = new URLSearchParams(body).get('Action') ?? new URL(path, 'http://x').searchParams.get('Action');
  if (action) return action;
  if (INVOKE_PATH.test(path)) return 'Invoke';
  return `Unknown(${path})`;
}

const TRANSACTION_ITEM_ACTION: Record<string, string> = {
  Update: 'dynamodb:UpdateItem',
  Put: 'dynamodb:PutItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function transactionItemGrants(body: string, resources: string[]): string[] {
  const items = (json(body).TransactItems ?? []) as Record<string, unknown>[];
  return items.map((item, i) => `${TRANSACTION_ITEM_ACTION[Object.keys(item)[0]] ?? `unknown ${Object.keys(item)[0]}`} ${resources[i]}`);
}

function json(body: string): Record<string, any> {
  try {
    return JSON.parse(body) ?? {};
  } catch {
    return {};
  }
}

/** The resources IAM authorizes the call on (the Resource types column of the Service Authorization Reference). */
function resourcesOf(
  service: string,
  operation: string,
  body: string,
  path: string,
  region: string,
  account: string,
  iterators: Map<string, string>,
): string[] {
  const arn = (svc: string, rest: string) => `arn:aws:${svc}:${region}:${account}:${rest}`;
  if (service === 'dynamodb') {
    const input = json(body);
    const table = (name: string) => (name.startsWith('arn:') ? name : arn('dynamodb', `table/${name}`));
    if (operation === 'ListStreams') return ['*'];
    if (input.TableName) return [table(input.TableName)];
    if (input.RequestItems) return Object.keys(input.RequestItems).map(table);
    if (input.TransactItems)
      return (input.TransactItems as Record<string, { TableName: string }>[]).map((t) => table(Object.values(t)[0].TableName));
    if (input.StreamArn) return [input.StreamArn];
    if (input.ShardIterator)
      return [iterators.get(input.ShardIterator) ?? `unknown shard iterator ${String(input.ShardIterator).slice(0, 40)}`];
  }
  if (service === 'sqs') {
    const url = new URL(json(body).QueueUrl ?? 'http://x/');
    const [queueAccount, name] = url.pathname.split('/').filter(Boolean);
    return [`arn:aws:sqs:${region}:${queueAccount}:${name}`];
  }
  if (service === 'sts') return [new URLSearchParams(body).get('RoleArn') ?? 'no RoleArn'];
  if (service === 'lambda') {
    const name = decodeURIComponent(INVOKE_PATH.exec(path)?.[1] ?? '');
    const qualifier = new URL(path, 'http://x').searchParams.get('Qualifier');
    return [`${name.startsWith('arn:') ? name : arn('lambda', `function:${name}`)}${qualifier ? `:${qualifier}` : ''}`];
  }
  return [`unrecognised request ${operation} ${path}`];
}

function rememberIterators(operation: string, body: string, reply: string, iterators: Map<string, string>): void {
  const input = json(body);
  const output = json(reply);
  if (operation === 'GetShardIterator' && output.ShardIterator) iterators.set(output.ShardIterator, input.StreamArn);
  if (operation === 'GetRecords' && output.NextShardIterator) {
    const stream = iterators.get(input.ShardIterator);
    if (stream) iterators.set(output.NextShardIterator, stream);
  }
}
