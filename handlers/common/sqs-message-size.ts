/**
 * SQS message sizes, which both parkers (the replica writer's and the redrive's) fit their
 * messages into: a parked message that does not fit is refused by SQS, and a record that cannot be
 * parked cannot be acknowledged either.
 */

/** SQS's largest message (a queue allows it only with MaximumMessageSize 1048576). */
export const MAX_SQS_MESSAGE_BYTES = 1024 * 1024;

/** SQS's default MaximumMessageSize: what a parked message must fit when the queue's own is not known. */
export const DEFAULT_PARK_MAX_BYTES = 262_144;
