/**
 * What a TLS-only resource policy must say, written out from the AWS documentation (the oracle of
 * the queue and topic policy tests, independent of modules/internal/iam.ts).
 */

/** Every action an SNS topic policy accepts ("Valid Amazon SNS policy actions", SNS developer guide). */
export const SNS_TOPIC_ACTIONS = [
  'AddPermission',
  'DeleteTopic',
  'GetDataProtectionPolicy',
  'GetTopicAttributes',
  'ListSubscriptionsByTopic',
  'ListTagsForResource',
  'Publish',
  'PutDataProtectionPolicy',
  'RemovePermission',
  'SetTopicAttributes',
  'Subscribe',
].map((a) => `sns:${a}`);

/** The statement that denies `action` on `resource` to every request made without TLS. */
export function denyWithoutTls(action: string | string[], resource: string) {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: resource,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
