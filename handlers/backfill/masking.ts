/**
 * A masked read replica must get items as its writers write them: without the replica's
 * `omitAttributes`/`maskAttributes` a backfill would copy full items (personal data) into it. The
 * masking is taken from the deployed configuration: the REPLICATION_TARGETS environment of a
 * replica writer that writes into the target (Lambda GetFunctionConfiguration). Lists given by hand
 * must then agree with it.
 */
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** A deployed replica writer that writes into the backfill's target, and a client of its region. */
export interface WriterFunction {
  /** Function name or ARN. */
  readonly name: string;
  readonly client: LambdaClient;
}

export interface Masking {
  readonly omit?: readonly string[];
  readonly mask?: readonly string[];
}

/**
 * The omit and mask lists `writer` applies to `target`, from its REPLICATION_TARGETS. Fails when the
 * function cannot be read or does not write into the target.
 */
export async function deployedMasking(writer: WriterFunction, target: { region: string; table: string }): Promise<Required<Masking>> {
  let variables: Record<string, string> | undefined;
  try {
    variables = (await writer.client.send(new GetFunctionConfigurationCommand({ FunctionName: writer.name }))).Environment?.Variables;
  } catch (e) {
    throw new Error(`cannot read the configuration of writer function ${writer.name}: ${(e as Error).name}: ${(e as Error).message}`);
  }
  const raw = variables?.REPLICATION_TARGETS;
  let targets: { region?: unknown; table?: unknown; omit?: unknown; mask?: unknown }[];
  try {
    targets = JSON.parse(raw ?? '');
  } catch {
    throw new Error(`writer function ${writer.name} has no REPLICATION_TARGETS JSON in its environment: is it a replica writer?`);
  }
  const t = Array.isArray(targets) ? targets.find((x) => x?.region === target.region && x?.table === target.table) : undefined;
  if (!t) {
    const where = Array.isArray(targets) ? targets.map((x) => `${x?.region}/${x?.table}`).join(', ') : 'none';
    throw new Error(`writer function ${writer.name} does not write into ${target.region}/${target.table} (it writes into ${where})`);
  }
  return { omit: stringList(t.omit), mask: stringList(t.mask) };
}

/** The deployed masking, after checking that lists given by hand say the same; the error names both. */
export function reconcileMasking(given: Masking, deployed: Required<Masking>, writer: string): Required<Masking> {
  const differs = (a: readonly string[] | undefined, b: readonly string[]) =>
    a !== undefined && [...a].sort().join('\n') !== [...b].sort().join('\n');
  const problems = (['omit', 'mask'] as const)
    .filter((k) => differs(given[k], deployed[k]))
    .map((k) => `${k} [${given[k]!.join(', ')}] differs from the deployed writer ${writer}'s ${k} [${deployed[k].join(', ')}]`);
  if (problems.length) throw new Error(`${problems.join('; ')}: the backfill would write items its writers never would`);
  return deployed;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
