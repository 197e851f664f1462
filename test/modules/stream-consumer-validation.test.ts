import { StreamConsumer } from '../../modules/stream-consumer';
import { CACHE_DIR, ConsumerOverrides, HANDLER_ENTRY, consumerOf, newStack, newTable } from '../support/consumer-stack';

function problemOf(overrides: ConsumerOverrides): string {
  try {
    consumerOf(overrides);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to reject the props');
}

const LONG_PATTERN = JSON.stringify({ dynamodb: { Keys: { pk: { S: ['x'.repeat(4100)] } } } });

describe('StreamConsumer validation', () => {
  const cases: [string, ConsumerOverrides, string][] = [
    // function
    [
      'functionName',
      { functionName: 'orders.projector' },
      'functionName must be 1..64 characters of [0-9A-Za-z_-] (got "orders.projector")',
    ],
    ['roleName', { roleName: 'r'.repeat(65) }, `roleName must be 1..64 characters of [A-Za-z0-9_+=,.@-] (got "${'r'.repeat(65)}")`],
    ['handler', { handler: 'h'.repeat(129) }, `handler must be 1..128 characters (got "${'h'.repeat(129)}")`],
    [
      'runtime',
      { runtime: 'nodejs24.x' },
      expect.stringContaining('runtime must be one of "nodejs18.x", "nodejs20.x", "nodejs22.x", ') as any,
    ],
    [
      'runtime for a bundle',
      { runtime: 'python3.13' },
      'runtime must be a nodejs runtime (code bundled from an entry is JavaScript) (got "python3.13")',
    ],
    ['architecture', { architecture: 'arm' as any }, 'architecture must be one of "arm64", "x86_64" (got "arm")'],
    ['memorySize', { memorySize: 64 }, 'memorySize must be an integer 128..10240 (MB) (got 64)'],
    ['timeoutSeconds', { timeoutSeconds: 901 }, 'timeoutSeconds must be an integer 1..900 (got 901)'],
    ['reservedConcurrency', { reservedConcurrency: -2 }, 'reservedConcurrency must be an integer >= -1 (-1 means unreserved) (got -2)'],
    ['provisionedConcurrency', { provisionedConcurrency: 0 }, 'provisionedConcurrency must be an integer >= 1 (got 0)'],
    [
      'provisioned above reserved',
      { provisionedConcurrency: 5, reservedConcurrency: 2 },
      'provisionedConcurrency must be at most reservedConcurrency (2) (AWS rejects provisioned concurrency above the reserved concurrency) (got 5)',
    ],
    [
      'aliasName',
      { provisionedConcurrency: 1, aliasName: '123' },
      'aliasName must be 1..128 characters of [a-zA-Z0-9_-], not only digits (got "123")',
    ],
    [
      'logRetentionDays',
      { logRetentionDays: 2 },
      expect.stringMatching(
        /^test\/Consumer: logRetentionDays must be one of 0, 1, 3, 5, 7, .*, 3653 \(the values CloudWatch Logs accepts\) \(got 2\)$/,
      ) as any,
    ],
    ['logFormat', { logFormat: 'XML' as any }, 'logFormat must be one of "JSON", "Text" (got "XML")'],
    [
      'applicationLogLevel',
      { applicationLogLevel: 'VERBOSE' as any },
      'applicationLogLevel must be one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" (got "VERBOSE")',
    ],
    ['systemLogLevel', { systemLogLevel: 'ERROR' as any }, 'systemLogLevel must be one of "DEBUG", "INFO", "WARN" (got "ERROR")'],
    [
      'log level with Text logs',
      { logFormat: 'Text', applicationLogLevel: 'DEBUG' },
      'applicationLogLevel must be unset with logFormat Text (Lambda filters log levels only for JSON logs) (got "DEBUG")',
    ],
    ['environment name', { environment: { '1ST': 'x' } }, 'environment.1ST must be a name of [a-zA-Z][a-zA-Z0-9_]+ (got "1ST")'],
    [
      'reserved environment name',
      { environment: { AWS_REGION: 'eu-west-1' } },
      'environment.AWS_REGION must be a name Lambda does not reserve (Lambda sets it for every function) (got "AWS_REGION")',
    ],
    [
      'environment size',
      { environment: { BIG: 'x'.repeat(4100) } },
      'environment must be at most 4096 bytes (the Lambda limit for all variables together) (got "4110 bytes")',
    ],
    // event source mapping
    ['batchSize', { batchSize: 20000 }, 'batchSize must be an integer 1..10000 (for a DynamoDB stream) (got 20000)'],
    ['maxBatchingWindowSeconds', { maxBatchingWindowSeconds: 301 }, 'maxBatchingWindowSeconds must be an integer 0..300 (got 301)'],
    ['parallelizationFactor', { parallelizationFactor: 11 }, 'parallelizationFactor must be an integer 1..10 (got 11)'],
    [
      'retryAttempts',
      { retryAttempts: -2 },
      'retryAttempts must be -1 or an integer 0..10000 (-1 retries until the record expires) (got -2)',
    ],
    [
      'maxRecordAgeSeconds',
      { maxRecordAgeSeconds: 59 },
      'maxRecordAgeSeconds must be -1 or an integer 60..604800 (-1 keeps records until they expire) (got 59)',
    ],
    ['tumblingWindowSeconds', { tumblingWindowSeconds: 901 }, 'tumblingWindowSeconds must be an integer 0..900 (got 901)'],
    [
      'startingPosition',
      { startingPosition: 'AT_TIMESTAMP' as any },
      'startingPosition must be one of "TRIM_HORIZON", "LATEST" (AT_TIMESTAMP is for Kinesis and MSK, not DynamoDB streams) (got "AT_TIMESTAMP")',
    ],
    [
      'filter count',
      { filters: Array.from({ length: 11 }, (_, i) => ({ eventName: [`E${i}`] })) },
      'filters.length must be an integer 0..10 (the Lambda limit of filters per event source mapping) (got 11)',
    ],
    [
      'filter JSON',
      { filters: ['{"eventName":'] },
      expect.stringMatching(
        /^test\/Consumer: filters\[0\] must be a JSON object \(not valid JSON: .+\) \(got "\{\\"eventName\\":"\)$/,
      ) as any,
    ],
    [
      'filter shape',
      { filters: ['["INSERT"]'] },
      'filters[0] must be a JSON object (a filter pattern matches on record fields) (got "[\\"INSERT\\"]")',
    ],
    [
      'filter length',
      { filters: [LONG_PATTERN] },
      `filters[0].length must be at most 4096 characters (the Lambda limit per pattern) (got ${LONG_PATTERN.length})`,
    ],
  ];

  test.each(cases)('GIVEN a bad %s WHEN constructed THEN it fails with the exact message', (_name, overrides, message) => {
    const actual = problemOf(overrides);
    if (typeof message === 'string') expect(actual).toBe(`test/Consumer: ${message}`);
    else expect(actual).toEqual(message);
  });

  test('GIVEN a FIFO queue as on-failure target WHEN constructed THEN it fails: stream mappings only report to standard queues, topics and buckets', () => {
    const arn = 'arn:aws:sqs:eu-west-1:123456789012:failures.fifo';
    expect(problemOf({ onFailure: { destinationArn: arn, sendStatements: [] } })).toBe(
      `test/Consumer: onFailure.destinationArn must be the ARN of a standard SQS queue, an SNS topic or an S3 bucket (stream mappings report failures only there; FIFO queues and topics are refused) (got "${arn}")`,
    );
    expect(() => consumerOf({ onFailure: { destinationArn: 'arn:aws:s3:::orders-failures', sendStatements: [] } })).not.toThrow();
  });

  test('GIVEN filters on an image the stream view type does not carry WHEN constructed THEN each such filter is refused as never matching', () => {
    const filters = [{ dynamodb: { NewImage: { status: { S: ['PAID'] } } } }, { eventName: ['REMOVE'] }];
    let message = '';
    try {
      consumerOf({ filters }, { streamViewType: 'KEYS_ONLY' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      'test/Consumer: filters[0] must be a pattern without dynamodb.NewImage (the stream view type KEYS_ONLY carries no NewImage, so the filter would never match) (got "{\\"dynamodb\\":{\\"NewImage\\":{\\"status\\":{\\"S\\":[\\"PAID\\"]}}}}")',
    );
    expect(() => consumerOf({ filters: [{ dynamodb: { OldImage: { a: { S: ['x'] } } } }] }, { streamViewType: 'NEW_IMAGE' })).toThrow(
      'filters[0] must be a pattern without dynamodb.OldImage',
    );
    expect(() => consumerOf({ filters }, { streamViewType: 'NEW_IMAGE' })).not.toThrow();
  });

  test('GIVEN nodejs24.x on the hashicorp/aws 5.100 binding WHEN constructed THEN the message names the binding and the first provider that accepts it', () => {
    // 5.100.0 is what @cdktf/provider-aws 20.1.0 (this repository's binding) was generated from;
    // the consumer matrix synthesizes nodejs24.x on the 6.x bindings.
    expect(problemOf({ runtime: 'nodejs24.x' })).toMatch(
      /\(the runtimes hashicorp\/aws 5\.100\.0 \(the installed provider binding's\) accepts for new functions; nodejs24\.x needs hashicorp\/aws >= 6\.19\.0\) \(got "nodejs24\.x"\)$/,
    );
  });

  test('GIVEN several bad props WHEN constructed THEN every problem is reported in one error and the bad consumer is not registered as a reader', () => {
    const stack = newStack();
    const table = newTable(stack);
    let message = '';
    try {
      new StreamConsumer(stack, 'Consumer', {
        table,
        code: { entry: HANDLER_ENTRY, bundling: { cacheDir: CACHE_DIR } },
        memorySize: 1,
        batchSize: 0,
        startingPosition: 'AT_TIMESTAMP' as any,
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'test/Consumer: memorySize must be an integer 128..10240 (MB) (got 1)',
      'test/Consumer: batchSize must be an integer 1..10000 (for a DynamoDB stream) (got 0)',
      'test/Consumer: startingPosition must be one of "TRIM_HORIZON", "LATEST" (AT_TIMESTAMP is for Kinesis and MSK, not DynamoDB streams) (got "AT_TIMESTAMP")',
    ]);
    expect(table.streamReaders).toEqual([]);
  });
});
