import { Token } from 'cdktf';
import { PropsValidator } from './validation';
import type { PolicyStatement } from '../props/policy';
import type { StreamConsumerProps } from '../stream-consumer';

/**
 * Consumer settings that synthesize but defeat the library's promises: statements that give the
 * role every action on every resource (least privilege), and no failure destination (records that
 * exhaust their retries are dropped without a trace).
 */
export function validateConsumerSafety(v: PropsValidator, props: StreamConsumerProps): void {
  for (const [i, statement] of (props.additionalStatements ?? []).entries()) checkStatement(v, `additionalStatements[${i}]`, statement);
  if (!props.onFailure)
    v.warn(
      'onFailure',
      'is unset: records that exhaust their retries (or exceed maxRecordAgeSeconds) are dropped and only counted in the ' +
        'DroppedEventCount metric; give a FailureDestination (StreamPipeline creates one unless failureDestination is false)',
    );
}

/**
 * Refuses an Allow statement with a full wildcard action: `*` on any resource, or `<service>:*`
 * on every resource (`*`). `<service>:*` on named resources stays allowed: it is scoped by them.
 */
function checkStatement(v: PropsValidator, prop: string, s: PolicyStatement): void {
  if ((s.effect ?? 'Allow') !== 'Allow' || !Array.isArray(s.actions) || !Array.isArray(s.resources)) return;
  const known = (x: string) => !Token.isUnresolved(x);
  const everyResource = s.resources.some((r) => known(r) && r === '*');
  for (const action of s.actions.filter(known)) {
    if (action === '*')
      v.fail(`${prop}.actions`, s.actions, 'named actions, not "*"', 'every action of every service breaks least privilege');
    else if (everyResource && /^[A-Za-z0-9-]+:\*$/.test(action))
      v.fail(
        `${prop}.actions`,
        s.actions,
        `named actions when resources is "*", not "${action}"`,
        'every action of a service on every resource breaks least privilege',
      );
  }
}
