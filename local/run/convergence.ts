/**
 * Whether the regions of a replicated table converged, judged from what each region holds (a
 * strongly consistent scan), not from what the writers report: every writable region holds the
 * same items (tombstones included) with the same attributes, and every read-only region holds
 * exactly those items as docs/constructs.md promises them: without the omitted attributes, and
 * with masked ones as the string "***". Given the workload's record of what it wrote, every region
 * is also checked against that ground truth (ground-truth.ts): regions that agree on a wrong
 * state have not converged.
 */
import { AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { canonical, truthProblems, WorkloadRecord } from './ground-truth';
import type { ReplicatedTablePlan, RegionTarget } from './replication-plan';
import { MASKED_VALUE } from '../../handlers/contract';

type Item = Record<string, AttributeValue>;

export interface Convergence {
  readonly converged: boolean;
  /** Items in the reference (first writable) region. */
  readonly items: number;
  /** At most 10 differences, each naming region, key and what differs. */
  readonly problems: string[];
}

/** Every item of a table, strongly consistent. */
export async function scanAll(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey as Item | undefined;
  } while (start);
  return items;
}

function asReplica(item: Item, target: RegionTarget): Item {
  const out: Item = { ...item };
  for (const a of target.omit) delete out[a];
  for (const a of target.mask) if (out[a] !== undefined) out[a] = { S: MASKED_VALUE };
  return out;
}

export async function compareRegions(
  plan: ReplicatedTablePlan,
  clients: Record<string, DynamoDBClient>,
  truth?: WorkloadRecord,
): Promise<Convergence> {
  const keyOf = (i: Item) => JSON.stringify(canonical([i[plan.partitionKey], plan.sortKey ? i[plan.sortKey] : null]));
  const held = Object.fromEntries(
    await Promise.all(
      [...plan.writable, ...Object.keys(plan.readOnly)].map(
        async (r) => [r, new Map((await scanAll(clients[r], plan.table)).map((i) => [keyOf(i), i]))] as const,
      ),
    ),
  );
  const [reference, ...others] = plan.writable;
  const expected = held[reference];
  const problems: string[] = [];
  const compare = (region: string, transform: (i: Item) => Item) => {
    const actual = held[region];
    for (const [key, item] of expected) {
      const want = JSON.stringify(canonical(transform(item)));
      const got = actual.get(key);
      if (!got) problems.push(`${region} lacks ${key} (${reference} has it)`);
      else if (JSON.stringify(canonical(got)) !== want)
        problems.push(`${region} holds ${key} as ${JSON.stringify(canonical(got))}, expected ${want}`);
    }
    for (const key of actual.keys()) if (!expected.has(key)) problems.push(`${region} holds ${key}, which ${reference} does not`);
  };
  for (const region of others) compare(region, (i) => i);
  for (const [region, target] of Object.entries(plan.readOnly)) compare(region, (i) => asReplica(i, target));
  if (truth) {
    for (const region of plan.writable) problems.push(...truthProblems(plan, truth, region, held[region], keyOf));
    for (const [region, target] of Object.entries(plan.readOnly))
      problems.push(...truthProblems(plan, truth, region, held[region], keyOf, target));
  }
  return { converged: problems.length === 0, items: expected.size, problems: problems.slice(0, 10) };
}
