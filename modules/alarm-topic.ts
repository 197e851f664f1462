import { Fn, TerraformLocal, TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { denyInsecureTransport, resourcePolicyDocument, ResourcePolicyStatement, SNS_TOPIC_POLICY_ACTIONS } from './internal/iam';
import { LIMITS } from './internal/limits';
import { PropsValidator } from './internal/validation';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/**
 * Who an alarm topic notifies. Each address gets an SNS subscription that waits for its owner to
 * confirm (SNS sends a confirmation mail, or a SubscriptionConfirmation request to the endpoint):
 * until then it receives nothing.
 */
export interface AlarmSubscribers {
  /** E-mail addresses. @default none */
  readonly emails?: string[];
  /** HTTPS endpoints (a pager's webhook, say); plain http is refused, alarms are sensitive. @default none */
  readonly httpsEndpoints?: string[];
}

/** Props of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Topic name, 1..256 characters of [0-9A-Za-z_-]. */
  readonly topicName: string;
  /**
   * A customer-managed key whose policy already lets cloudwatch.amazonaws.com use it
   * (kms:Decrypt and kms:GenerateDataKey*). @default a new KMS key with that policy
   */
  readonly kmsKeyArn?: string;
  /** Subscriptions to create on the topic: without any, alarms notify nobody. @default none */
  readonly subscribers?: AlarmSubscribers;
  /** Tags for the topic and the key. @default none */
  readonly tags?: Record<string, string>;
  /** Provider (region) of the topic and key. @default the stack's default aws provider */
  readonly provider?: TerraformProvider;
}

/** The service principal CloudWatch alarms publish to SNS with. */
const CLOUDWATCH = 'cloudwatch.amazonaws.com';

/**
 * An encrypted, TLS-only SNS topic that CloudWatch alarms can publish to.
 *
 * Why a customer-managed key: CloudWatch publishes to an encrypted topic with its service
 * principal, which needs kms:GenerateDataKey* and kms:Decrypt on the topic's key. The AWS-managed
 * `alias/aws/sns` key's policy cannot grant that, so alarms on such a topic are silently never
 * delivered. The key created here grants it, and keeps the default administration statement for
 * the account (derived from the key's own ARN, so no AWS API call is needed at plan time).
 *
 * The topic policy replaces SNS's default one, which let the account's principals publish: it
 * denies every request without TLS and lets CloudWatch publish. CloudWatch's statements, in the
 * topic policy and in the key policy, hold only for alarms of the topic's own account
 * (`aws:SourceAccount`), so no other account's alarm can use this topic or its key (confused deputy).
 */
export class AlarmTopic extends Construct {
  /** The SNS topic the alarms publish to. */
  readonly topic: SnsTopic;
  /** ARN of the topic: the alarm action to use (`alarms.actionArns`). */
  readonly topicArn: string;
  /** The topic policy: denies requests without TLS, and lets CloudWatch alarms of this account publish. */
  readonly topicPolicy: SnsTopicPolicy;
  /** ARN of the key the topic is encrypted with (the key created here, or the one given). */
  readonly kmsKeyArn: string;
  /** The customer-managed key created for the topic, when no `kmsKeyArn` was given. */
  readonly key?: KmsKey;
  /** The policy of the key created here: CloudWatch alarms of this account may use it to publish; the account administers it. */
  readonly keyPolicy?: KmsKeyPolicy;
  /** The subscriptions of `subscribers`, e-mails first. */
  readonly subscriptions: SnsTopicSubscription[] = [];

  /** Creates the encrypted topic, its policy and its subscriptions; throws a ValidationError naming this construct for bad props. */
  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.AlarmTopicProps, props);
    const v = new PropsValidator(this).matches('topicName', props.topicName, LIMITS.snsName.pattern, LIMITS.snsName.described);
    validateSubscribers(v, 'subscribers', props.subscribers);
    v.throwIfInvalid();
    let keyArn = props.kmsKeyArn;
    if (!keyArn) {
      const key = new KmsKey(this, 'Key', {
        description: `Encrypts the SNS topic ${props.topicName} that CloudWatch alarms publish to`,
        enableKeyRotation: true,
        tags: props.tags,
        provider: props.provider,
      });
      this.keyPolicy = new KmsKeyPolicy(this, 'KeyPolicy', {
        keyId: key.keyId,
        policy: resourcePolicyDocument(
          alarmKeyStatements(arnPart(this, 'KeyPartition', key.arn, 1), arnPart(this, 'KeyAccount', key.arn, 4)),
        ),
        provider: props.provider,
      });
      this.key = key;
      keyArn = key.arn;
    }
    this.kmsKeyArn = keyArn;
    this.topic = new SnsTopic(this, 'Topic', { name: props.topicName, kmsMasterKeyId: keyArn, tags: props.tags, provider: props.provider });
    this.topicArn = this.topic.arn;
    this.topicPolicy = new SnsTopicPolicy(this, 'TopicPolicy', {
      arn: this.topic.arn,
      policy: resourcePolicyDocument(alarmTopicStatements(this.topic.arn, arnPart(this, 'TopicAccount', this.topic.arn, 4))),
      provider: props.provider,
    });
    const endpoints: [string, string][] = [
      ...(props.subscribers?.emails ?? []).map((e): [string, string] => ['email', e]),
      ...(props.subscribers?.httpsEndpoints ?? []).map((e): [string, string] => ['https', e]),
    ];
    endpoints.forEach(([protocol, endpoint], i) => {
      this.subscriptions.push(
        new SnsTopicSubscription(this, `Subscription${i}`, { topicArn: this.topic.arn, protocol, endpoint, provider: props.provider }),
      );
    });
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** E-mail addresses and HTTPS URLs, each once. */
export function validateSubscribers(v: PropsValidator, prop: string, s: AlarmSubscribers | undefined): void {
  if (!s) return;
  const seen = new Set<string>();
  (s.emails ?? []).forEach((e, i) => {
    v.matches(`${prop}.emails[${i}]`, e, EMAIL, 'an e-mail address such as oncall@example.com');
    if (seen.has(e)) v.fail(`${prop}.emails[${i}]`, e, 'each address once', 'SNS keeps one subscription per endpoint');
    seen.add(e);
  });
  (s.httpsEndpoints ?? []).forEach((e, i) => {
    if (!isHttpsUrl(e))
      v.fail(`${prop}.httpsEndpoints[${i}]`, e, 'an https:// URL with a host', 'alarm notifications must not travel in clear text');
    if (seen.has(e)) v.fail(`${prop}.httpsEndpoints[${i}]`, e, 'each endpoint once', 'SNS keeps one subscription per endpoint');
    seen.add(e);
  });
}

function isHttpsUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * One field of an ARN (`arn:<partition>:<service>:<region>:<account>:...`) as a Terraform local,
 * so the policy JSON only holds `${local.x}` references and stays parseable as JSON before
 * Terraform renders it (an inline `split(":", ...)` would put quotes inside the JSON string).
 */
function arnPart(scope: Construct, id: string, arn: string, index: number): string {
  return new TerraformLocal(scope, id, Fn.element(Fn.split(':', arn), index)).asString;
}

/** Alarms of `account` only: CloudWatch names the alarm's account in `aws:SourceAccount`. */
function fromAccount(account: string): ResourcePolicyStatement['conditions'] {
  return { StringEquals: { 'aws:SourceAccount': account } };
}

/** Key policy: the account administers the key (as the default policy does); its own alarms may use it. */
export function alarmKeyStatements(partition: string, account: string): ResourcePolicyStatement[] {
  return [
    { sid: 'AccountAdministersKey', principal: { AWS: `arn:${partition}:iam::${account}:root` }, actions: ['kms:*'], resources: ['*'] },
    {
      sid: 'CloudWatchAlarmsPublish',
      principal: { Service: CLOUDWATCH },
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: fromAccount(account),
    },
  ];
}

/** Topic policy: nothing without TLS; the account's own alarms may publish. */
export function alarmTopicStatements(topicArn: string, account: string): ResourcePolicyStatement[] {
  return [
    denyInsecureTransport(SNS_TOPIC_POLICY_ACTIONS, topicArn),
    {
      sid: 'CloudWatchAlarmsPublish',
      principal: { Service: CLOUDWATCH },
      actions: ['sns:Publish'],
      resources: [topicArn],
      conditions: fromAccount(account),
    },
  ];
}
