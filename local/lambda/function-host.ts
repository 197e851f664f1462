/**
 * Runs one Lambda function locally: its code (an unpacked deployment zip or bundle folder) in
 * child Node processes standing in for execution environments, with the environment Lambda
 * gives a function (its variables, AWS_REGION, AWS_LAMBDA_* names, credentials) plus whatever
 * the caller adds (endpoints of local services). One environment serves one invocation at a
 * time; concurrent invocations get more of them, as Lambda scales out. An invocation that runs
 * past the function's timeout is a failed invocation ("Task timed out") and its environment is
 * discarded, as is one whose process dies.
 */
import { ChildProcess, fork } from 'child_process';
import { randomUUID } from 'crypto';
import { existsSync } from 'fs';
import { dirname, join } from 'path';
import type { InvokeResult } from '../mapping/batch-delivery';

export interface FunctionDefinition {
  /** function_name */
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  /** Folder holding the code as Lambda unpacks it (LAMBDA_TASK_ROOT). */
  readonly codeDirectory: string;
  /** "file.export", e.g. index.handler. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroup?: string;
  /** logging_config.log_format: JSON or Text. */
  readonly logFormat?: string;
  readonly applicationLogLevel?: string;
}

export interface HostOptions {
  /** Added to the function's environment (endpoints of local services, credentials). */
  readonly extraEnvironment?: Readonly<Record<string, string>>;
  /** Every line the function prints (stdout and stderr). @default dropped */
  readonly log?: (line: string) => void;
}

/** The plain-JavaScript runtime, next to this file in the sources (dist/ has no copy of it). */
function containerScript(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'container.js'), join(dir, 'local', 'lambda', 'container.js')])
      if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`local/lambda/container.js not found above ${__dirname}`);
  }
}

interface Pending {
  resolve(result: InvokeResult): void;
  timer: NodeJS.Timeout;
}

class Environment {
  readonly child: ChildProcess;
  private pending?: Pending;
  dead = false;

  constructor(script: string, env: NodeJS.ProcessEnv, memorySize: number, log: (line: string) => void) {
    this.child = fork(script, [], {
      env,
      cwd: env.LAMBDA_TASK_ROOT,
      execArgv: [`--max-old-space-size=${memorySize}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) log(line);
      });
    }
    this.child.on('message', (msg: any) => {
      if (msg?.type !== 'result' || !this.pending) return;
      const { resolve, timer } = this.pending;
      this.pending = undefined;
      clearTimeout(timer);
      resolve(msg.result);
    });
    this.child.once('exit', (code, signal) => {
      this.dead = true;
      if (!this.pending) return;
      const { resolve, timer } = this.pending;
      this.pending = undefined;
      clearTimeout(timer);
      resolve({
        ok: false,
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: the runtime exited (${signal ?? `code ${code}`}) during the invocation`,
      });
    });
  }

  invoke(event: unknown, invokedFunctionArn: string, timeoutSeconds: number): Promise<InvokeResult> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.dead = true;
        this.child.kill('SIGKILL');
        resolve({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        });
      }, timeoutSeconds * 1000);
      this.pending = { resolve, timer };
      this.child.send({
        type: 'invoke',
        id: requestId,
        requestId,
        event,
        invokedFunctionArn,
        deadline: Date.now() + timeoutSeconds * 1000,
      });
    });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}

export class LocalFunction {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly script = containerScript();
  private stopped = false;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly options: HostOptions = {},
  ) {
    if (!/^nodejs\d+\.x$/.test(definition.runtime))
      throw new Error(`${definition.name}: runtime ${definition.runtime} cannot run locally (Node.js runtimes only)`);
    if (!existsSync(definition.codeDirectory))
      throw new Error(`${definition.name}: code folder ${definition.codeDirectory} does not exist`);
    const d = definition;
    this.env = {
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      LAMBDA_TASK_ROOT: d.codeDirectory,
      _HANDLER: d.handler,
      AWS_EXECUTION_ENV: `AWS_Lambda_${d.runtime}`,
      AWS_REGION: d.region,
      AWS_DEFAULT_REGION: d.region,
      AWS_LAMBDA_FUNCTION_NAME: d.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(d.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: d.logGroup ?? `/aws/lambda/${d.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
      ...(d.logFormat ? { AWS_LAMBDA_LOG_FORMAT: d.logFormat } : {}),
      ...(d.applicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: d.applicationLogLevel } : {}),
      ...options.extraEnvironment,
      ...d.environment,
    };
  }

  /** Invokes the function synchronously (RequestResponse) with `event`. */
  async invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) throw new Error(`${this.definition.name} was stopped`);
    let environment = this.idle.pop();
    while (environment?.dead) environment = this.idle.pop();
    if (!environment) {
      environment = new Environment(this.script, this.env, this.definition.memorySize, this.options.log ?? (() => undefined));
      this.all.add(environment);
    }
    const result = await environment.invoke(event, this.definition.arn, this.definition.timeoutSeconds);
    if (environment.dead) this.all.delete(environment);
    else this.idle.push(environment);
    return result;
  }

  /** Execution environments alive now. */
  get environments(): number {
    return [...this.all].filter((e) => !e.dead).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((e) => e.stop()));
    this.all.clear();
    this.idle.length = 0;
  }
}
