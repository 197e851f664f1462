/**
 * A synthesized `aws_lambda_event_source_mapping` (DynamoDB stream source) read into the
 * settings the local mapping applies, with AWS's defaults for what the configuration leaves out
 * (the Lambda guide's "Lambda parameters for Amazon DynamoDB event source mappings"). Settings
 * that cannot be applied faithfully are refused with the mapping's name, the setting and why.
 */
import { FilterPatternError, matchesAny, parsePatterns } from '../../handlers/common/filter-pattern';
import type { DeliverySettings } from './batch-delivery';
import type { StartingPosition } from '../stream/shard-reader';

export interface MappingSettings extends DeliverySettings {
  readonly maxBatchingWindowMs: number;
  readonly parallelizationFactor: number;
  readonly startingPosition: StartingPosition;
  readonly enabled: boolean;
  /** The filter patterns as JSON strings, as synthesized. */
  readonly filterPatterns: string[];
  /** Parsed patterns (matched against each record as Lambda delivers it). */
  readonly filters: Parameters<typeof matchesAny>[1];
  /** Destination of on-failure records (a Terraform reference or an ARN, as synthesized). */
  readonly onFailureDestination?: string;
}

/** `resource` is the JSON of one aws_lambda_event_source_mapping; `name` says which, in errors. */
export function mappingSettings(name: string, resource: Record<string, any>): MappingSettings {
  const problems: string[] = [];
  const int = (key: string, fallback: number): number => {
    const v = resource[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v))
      problems.push(`${key} must be a literal integer to run locally (got ${JSON.stringify(v)})`);
    return Number(v);
  };
  if (resource.tumbling_window_in_seconds)
    problems.push(`tumbling_window_in_seconds is ${resource.tumbling_window_in_seconds}: tumbling windows are not emulated`);
  const position = resource.starting_position ?? 'TRIM_HORIZON';
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST')
    problems.push(`starting_position must be TRIM_HORIZON or LATEST for a DynamoDB stream (got ${JSON.stringify(position)})`);
  const patterns: string[] = (resource.filter_criteria?.filter ?? []).map((f: { pattern: string }) => f.pattern);
  let filters: MappingSettings['filters'] = [];
  try {
    filters = parsePatterns(patterns);
  } catch (e) {
    if (!(e instanceof FilterPatternError)) throw e;
    problems.push(`filter_criteria: ${e.message}`);
  }
  const settings: MappingSettings = {
    batchSize: int('batch_size', 100),
    maxBatchingWindowMs: int('maximum_batching_window_in_seconds', 0) * 1000,
    parallelizationFactor: int('parallelization_factor', 1),
    maxRetryAttempts: int('maximum_retry_attempts', -1),
    maxRecordAgeSeconds: int('maximum_record_age_in_seconds', -1),
    bisectOnError: resource.bisect_batch_on_function_error === true,
    reportBatchItemFailures: (resource.function_response_types ?? []).includes('ReportBatchItemFailures'),
    startingPosition: position,
    enabled: resource.enabled !== false,
    filterPatterns: patterns,
    filters,
    onFailureDestination: resource.destination_config?.on_failure?.destination_arn,
  };
  if (problems.length) throw new Error(`${name}: cannot run this event source mapping locally:\n- ${problems.join('\n- ')}`);
  return settings;
}
