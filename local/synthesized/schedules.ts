/**
 * The stack's scheduled functions, run locally: each `aws_cloudwatch_event_rule` with a
 * `schedule_expression` and the `aws_cloudwatch_event_target` that names one of the stack's
 * functions invokes that function, from its deployment zip, with EventBridge's "Scheduled Event".
 * Locally a schedule runs every `intervalMs` (a short interval instead of the synthesized rate, so
 * that a local run sees within a second what AWS does within the rule's period: the replica
 * writers' backlog drainers run every minute there). Runs of one schedule do not overlap.
 */
import { randomUUID } from 'crypto';
import type { InvokeResult } from '../mapping/batch-delivery';
import { LOCAL_ACCOUNT_ID } from '../sink';
import { pathOf, regionOf, resourcesOf, SynthesizedStack, wholeReference } from './stack';

export interface ScheduledFunction {
  /** The rule's construct path. */
  readonly rule: string;
  readonly ruleName: string;
  /** Logical id of the aws_lambda_function it invokes. */
  readonly functionId: string;
  readonly region: string;
  /** As synthesized, e.g. rate(1 minute). */
  readonly scheduleExpression: string;
}

/** Which function each scheduled rule of the stack invokes; a target that is not a stack function is refused by path. */
export function scheduledFunctions(stack: SynthesizedStack): ScheduledFunction[] {
  const rules = new Map(resourcesOf(stack, 'aws_cloudwatch_event_rule').filter(([, r]) => r.schedule_expression));
  const out: ScheduledFunction[] = [];
  for (const [id, target] of resourcesOf(stack, 'aws_cloudwatch_event_target')) {
    const ruleRef = wholeReference(target.rule);
    const rule = ruleRef?.type === 'aws_cloudwatch_event_rule' ? rules.get(ruleRef.id) : undefined;
    if (!ruleRef || !rule) continue;
    const fn = wholeReference(target.arn);
    if (fn?.type !== 'aws_lambda_function')
      throw new Error(
        `${pathOf('aws_cloudwatch_event_target', id, target)}: only targets that are functions of the stack run locally (arn is ${JSON.stringify(target.arn)})`,
      );
    const where = pathOf('aws_cloudwatch_event_rule', ruleRef.id, rule);
    if (typeof rule.name !== 'string') throw new Error(`${where}: name must be a literal to run locally`);
    out.push({
      rule: where,
      ruleName: rule.name,
      functionId: fn.id,
      region: regionOf(stack, rule),
      scheduleExpression: rule.schedule_expression,
    });
  }
  return out;
}

export interface ScheduleListener {
  ran?(schedule: ScheduledFunction, result: InvokeResult, ms: number): void;
}

/** Invokes `invoke` for `schedule` every `intervalMs`, the first run at once, until stopped. */
export class LocalSchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    readonly schedule: ScheduledFunction,
    private readonly invoke: (event: unknown) => Promise<InvokeResult>,
    private readonly intervalMs: number,
    private readonly listener: ScheduleListener = {},
  ) {}

  start(): void {
    this.tick();
  }

  /** Waits for a run that starts after this call to finish (what was kept before it has been applied, if it could be). */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.fire();
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await this.running;
  }

  private tick(): void {
    if (this.stopped) return;
    if (!this.running) this.fire();
    this.timer = setTimeout(() => this.tick(), this.intervalMs);
  }

  private fire(): void {
    const started = Date.now();
    this.running = this.invoke(scheduledEvent(this.schedule))
      .then(
        (result) => this.listener.ran?.(this.schedule, result, Date.now() - started),
        // Only a function stopped under it fails to run: the deployment is stopping.
        () => undefined,
      )
      .finally(() => (this.running = undefined));
  }
}

/** The event EventBridge sends a target of a schedule. */
function scheduledEvent(s: ScheduledFunction): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: s.region,
    resources: [`arn:aws:events:${s.region}:${LOCAL_ACCOUNT_ID}:rule/${s.ruleName}`],
    detail: {},
  };
}
