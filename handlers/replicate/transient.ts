/**
 * A failure of a key's work that a retry may fix (throttling, a timeout, an item that kept changing
 * while it was settled, parking that failed): the key's records are reported as failed, so Lambda
 * delivers them again. Anything else that goes wrong for a key is parked instead.
 */
export class Transient extends Error {}
