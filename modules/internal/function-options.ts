import { Token } from 'cdktf';
import { bindingAwsVersion, versionAtLeast } from './binding-version';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';
import type { ApplicationLogLevel, Architecture, FunctionOptions, LogFormat, SystemLogLevel } from '../props/function';

const ARCHITECTURES: readonly Architecture[] = ['arm64', 'x86_64'];
const LOG_FORMATS: readonly LogFormat[] = ['JSON', 'Text'];
const APP_LEVELS: readonly ApplicationLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SYSTEM_LEVELS: readonly SystemLogLevel[] = ['DEBUG', 'INFO', 'WARN'];
const RESERVED_ENV = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];
const ENV_BYTES = 4096;

/** Checks the function settings; `bundled` says the code is an esbuild bundle, which needs a Node.js runtime. */
export function validateFunctionOptions(
  v: PropsValidator,
  o: FunctionOptions,
  functionName: string,
  roleName: string,
  bundled: boolean,
): void {
  v.matches('functionName', functionName, LIMITS.functionName.pattern, LIMITS.functionName.described);
  v.matches('roleName', roleName, LIMITS.roleName.pattern, LIMITS.roleName.described);
  if (o.handler !== undefined)
    v.matches('handler', o.handler, /^[\s\S]{1,128}$/, `${LIMITS.handlerChars[0]}..${LIMITS.handlerChars[1]} characters`);
  const runtime = o.runtime ?? 'nodejs22.x';
  const aws = bindingAwsVersion();
  const newer = LIMITS.lambdaRuntimesSince.filter((r) => versionAtLeast(aws, r.aws)).map((r) => r.runtime);
  const later = LIMITS.lambdaRuntimesSince.filter((r) => !newer.includes(r.runtime));
  v.oneOf(
    'runtime',
    runtime,
    [...LIMITS.lambdaRuntimes, ...newer],
    `the runtimes hashicorp/aws ${aws} (the installed provider binding's) accepts for new functions` +
      later.map((r) => `; ${r.runtime} needs hashicorp/aws >= ${r.aws}`).join(''),
  );
  if (bundled && !runtime.startsWith('nodejs')) v.fail('runtime', runtime, 'a nodejs runtime', 'code bundled from an entry is JavaScript');
  v.oneOf('architecture', o.architecture, ARCHITECTURES);
  v.integer('memorySize', o.memorySize, LIMITS.memoryMb[0], LIMITS.memoryMb[1], { why: 'MB' });
  v.integer('timeoutSeconds', o.timeoutSeconds, LIMITS.timeoutSeconds[0], LIMITS.timeoutSeconds[1]);
  atLeast(v, 'reservedConcurrency', o.reservedConcurrency, LIMITS.reservedConcurrencyMin, '-1 means unreserved');
  if (o.reservedConcurrency === 0)
    v.fail(
      'reservedConcurrency',
      0,
      '-1 (unreserved) or an integer >= 1',
      'with 0 the function never runs and records wait until they expire',
    );
  atLeast(v, 'provisionedConcurrency', o.provisionedConcurrency, 1);
  const reserved = o.reservedConcurrency ?? -1;
  if (o.provisionedConcurrency !== undefined && reserved >= 0 && o.provisionedConcurrency > reserved) {
    v.fail(
      'provisionedConcurrency',
      o.provisionedConcurrency,
      `at most reservedConcurrency (${reserved})`,
      'AWS rejects provisioned concurrency above the reserved concurrency',
    );
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
    if (RESERVED_ENV.includes(name))
      v.fail(`environment.${name}`, name, 'a name Lambda does not reserve', 'Lambda sets it for every function');
  }
  const envBytes = Buffer.byteLength(JSON.stringify(env));
  if (envBytes > ENV_BYTES)
    v.fail('environment', `${envBytes} bytes`, `at most ${ENV_BYTES} bytes`, 'the Lambda limit for all variables together');
}

function atLeast(v: PropsValidator, prop: string, value: number | undefined, min: number, why?: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) v.fail(prop, value, `an integer >= ${min}`, why);
}
