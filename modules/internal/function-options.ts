import { Token } from 'cdktf';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';

export type Architecture = 'arm64' | 'x86_64';
export type LogFormat = 'JSON' | 'Text';
export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type SystemLogLevel = 'DEBUG' | 'INFO' | 'WARN';

/** Settings of the Lambda function itself (the consumer adds code, role, log group and mapping). */
export interface FunctionOptions {
  /** Function name, 1..64 characters of [0-9A-Za-z_-]. @default derived from the construct path */
  readonly functionName?: string;
  /** Handler as `file.export`, 1..128 characters. @default 'index.handler' (what the bundler writes) */
  readonly handler?: string;
  /** Lambda runtime accepted by hashicorp/aws 5.100 (nodejs24.x is not). @default 'nodejs22.x' */
  readonly runtime?: string;
  /** CPU architecture. @default 'arm64' (cheaper per GB-second) */
  readonly architecture?: Architecture;
  /** Memory in MB, 128..10240; CPU scales with it. @default 256 */
  readonly memorySize?: number;
  /** Timeout in seconds, 1..900. @default 30 */
  readonly timeoutSeconds?: number;
  /** Environment variables (names `[a-zA-Z][a-zA-Z0-9_]+`, not reserved by Lambda, 4 KB in all). @default none */
  readonly environment?: Record<string, string>;
  /** Reserved concurrent executions, -1 (unreserved) or >= 0; 0 stops the function. @default -1 */
  readonly reservedConcurrency?: number;
  /**
   * Pre-initialised execution environments, >= 1 and at most reservedConcurrency. Publishes a
   * version, adds an alias and points the mapping at the alias. @default none
   */
  readonly provisionedConcurrency?: number;
  /** Name of the alias created for provisioned concurrency. @default 'live' */
  readonly aliasName?: string;
  /** Days the function's log group keeps logs; one of the CloudWatch values (0 = never expire). @default 30 */
  readonly logRetentionDays?: number;
  /** Log format; log levels need JSON. @default 'JSON' */
  readonly logFormat?: LogFormat;
  /** Lowest application log level Lambda keeps (JSON only). @default 'INFO' */
  readonly applicationLogLevel?: ApplicationLogLevel;
  /** Lowest platform log level Lambda keeps (JSON only). @default 'WARN' */
  readonly systemLogLevel?: SystemLogLevel;
  /** X-Ray active tracing (adds xray:PutTraceSegments/PutTelemetryRecords, which AWS only grants on "*"). @default false */
  readonly tracing?: boolean;
  /** Description of the function. @default none */
  readonly description?: string;
  /** Name of the execution role, 1..64 of [A-Za-z0-9_+=,.@-]. @default derived from the construct path */
  readonly roleName?: string;
  /** Tags for every resource the consumer creates. @default none */
  readonly tags?: Record<string, string>;
}

const ARCHITECTURES: readonly Architecture[] = ['arm64', 'x86_64'];
const LOG_FORMATS: readonly LogFormat[] = ['JSON', 'Text'];
const APP_LEVELS: readonly ApplicationLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SYSTEM_LEVELS: readonly SystemLogLevel[] = ['DEBUG', 'INFO', 'WARN'];
const RESERVED_ENV = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];
const ENV_BYTES = 4096;

/** Checks the function settings; `bundled` says the code is an esbuild bundle, which needs a Node.js runtime. */
export function validateFunctionOptions(v: PropsValidator, o: FunctionOptions, functionName: string, roleName: string, bundled: boolean): void {
  v.matches('functionName', functionName, LIMITS.functionName.pattern, LIMITS.functionName.described);
  v.matches('roleName', roleName, LIMITS.roleName.pattern, LIMITS.roleName.described);
  if (o.handler !== undefined) v.matches('handler', o.handler, /^[\s\S]{1,128}$/, `${LIMITS.handlerChars[0]}..${LIMITS.handlerChars[1]} characters`);
  const runtime = o.runtime ?? 'nodejs22.x';
  v.oneOf('runtime', runtime, LIMITS.lambdaRuntimes as readonly string[], 'the runtimes hashicorp/aws 5.100 accepts for new functions');
  if (bundled && !runtime.startsWith('nodejs')) v.fail('runtime', runtime, 'a nodejs runtime', 'code bundled from an entry is JavaScript');
  v.oneOf('architecture', o.architecture, ARCHITECTURES);
  v.integer('memorySize', o.memorySize, LIMITS.memoryMb[0], LIMITS.memoryMb[1], { why: 'MB' });
  v.integer('timeoutSeconds', o.timeoutSeconds, LIMITS.timeoutSeconds[0], LIMITS.timeoutSeconds[1]);
  atLeast(v, 'reservedConcurrency', o.reservedConcurrency, LIMITS.reservedConcurrencyMin, '-1 means unreserved');
  atLeast(v, 'provisionedConcurrency', o.provisionedConcurrency, 1);
  const reserved = o.reservedConcurrency ?? -1;
  if (o.provisionedConcurrency !== undefined && reserved >= 0 && o.provisionedConcurrency > reserved) {
    v.fail('provisionedConcurrency', o.provisionedConcurrency, `at most reservedConcurrency (${reserved})`, 'AWS rejects provisioned concurrency above the reserved concurrency');
  }
  if (o.aliasName !== undefined) v.matches('aliasName', o.aliasName, LIMITS.lambdaAliasName.pattern, LIMITS.lambdaAliasName.described);
  v.oneOf('logRetentionDays', o.logRetentionDays, LIMITS.logRetentionDays as readonly number[], 'the values CloudWatch Logs accepts');
  v.oneOf('logFormat', o.logFormat, LOG_FORMATS);
  v.oneOf('applicationLogLevel', o.applicationLogLevel, APP_LEVELS);
  v.oneOf('systemLogLevel', o.systemLogLevel, SYSTEM_LEVELS);
  if (o.logFormat === 'Text') {
    for (const level of ['applicationLogLevel', 'systemLogLevel'] as const) {
      if (o[level] !== undefined) v.fail(level, o[level], 'unset with logFormat Text', 'Lambda filters log levels only for JSON logs');
    }
  }
  const env = o.environment ?? {};
  for (const name of Object.keys(env)) {
    v.matches(`environment.${name}`, name, /^[a-zA-Z][a-zA-Z0-9_]+$/, 'a name of [a-zA-Z][a-zA-Z0-9_]+');
    if (RESERVED_ENV.includes(name)) v.fail(`environment.${name}`, name, 'a name Lambda does not reserve', 'Lambda sets it for every function');
  }
  const envBytes = Buffer.byteLength(JSON.stringify(env));
  if (envBytes > ENV_BYTES) v.fail('environment', `${envBytes} bytes`, `at most ${ENV_BYTES} bytes`, 'the Lambda limit for all variables together');
}

function atLeast(v: PropsValidator, prop: string, value: number | undefined, min: number, why?: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) v.fail(prop, value, `an integer >= ${min}`, why);
}
