/** Settings of the Lambda functions the constructs create, and where their code comes from. */

/** CPU architecture of a function. */
export type Architecture = 'arm64' | 'x86_64';
/** Format of a function's logs. */
export type LogFormat = 'JSON' | 'Text';
/** Lowest application log level Lambda keeps (JSON logs). */
export type ApplicationLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
/** Lowest platform log level Lambda keeps (JSON logs). */
export type SystemLogLevel = 'DEBUG' | 'INFO' | 'WARN';

/**
 * The retention periods CloudWatch Logs accepts, in days (0 = never expire). Useful to validate a
 * module variable the same way the constructs validate `logRetentionDays`.
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Settings of the Lambda function itself (the consumer adds code, role, log group and mapping). */
export interface FunctionOptions {
  /** Function name, 1..64 characters of [0-9A-Za-z_-]. @default derived from the construct path */
  readonly functionName?: string;
  /** Handler as `file.export`, 1..128 characters. @default 'index.handler' (what the bundler writes) */
  readonly handler?: string;
  /** Lambda runtime accepted by the installed binding's hashicorp/aws (nodejs24.x needs >= 6.19.0; 5.100 rejects it). @default 'nodejs22.x' */
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

/**
 * Where a function's code comes from:
 * - `entry`: a TypeScript/JavaScript handler file, bundled by esbuild at synth time (cached);
 * - `bundleDirectory`: an already bundled folder (e.g. the library's own handlers), zipped as is;
 * - `zipFile`: a ready deployment package.
 */
export type LambdaCode =
  | { readonly entry: string; readonly bundling?: BundlingOptions }
  | { readonly bundleDirectory: string }
  | { readonly zipFile: string };

/** How esbuild bundles a handler entry at synth time. */
export interface BundlingOptions {
  /** Minify the output (smaller zip, faster cold start). @default true */
  readonly minify?: boolean;
  /** Write `index.js.map` beside the bundle; the consumer then sets NODE_OPTIONS=--enable-source-maps. @default false */
  readonly sourceMap?: boolean;
  /** esbuild target; match it to the function runtime. @default 'node22' */
  readonly target?: string;
  /**
   * Modules left out of the bundle and resolved at run time (e.g. `@aws-sdk/*` from the Lambda
   * runtime). @default none: everything is bundled, so the deployed code is the code you tested
   */
  readonly externalModules?: string[];
  /** Compile-time replacements (esbuild `define`), e.g. `{ 'process.env.STAGE': '"prod"' }`. @default none */
  readonly define?: Record<string, string>;
  /**
   * Where bundles and manifests are kept between synths.
   * @default $CDKTF_DDB_STREAMS_CACHE_DIR, else node_modules/.cache/cdktf-dynamodb-streams under the working directory
   */
  readonly cacheDir?: string;
}

/** A handler bundled at synth time: where it is and what went into it. */
export interface Bundle {
  /** Directory holding `index.js` (and `index.js.map`); wrap it in a TerraformAsset of type ARCHIVE. */
  readonly dir: string;
  /** sha256 (hex) of the bundle's file names and bytes; use it as the asset hash and source_code_hash. */
  readonly hash: string;
  /** True when the bundle came from the cache and esbuild did not run. */
  readonly fromCache: boolean;
}
