// The public API of cdktf-dynamodb-streams. The application write helper for replicated tables
// lives in handlers/client.ts and is exported as `cdktf-dynamodb-streams/client`.
export * from './stream-table';
export * from './stream-consumer';
export * from './failure-destination';
export * from './redrive';
export * from './alarms';
export * from './stream-pipeline';
export * from './module-stack';
export * from './replication';
export { ValidationError } from './internal/validation';
export type { PolicyStatement, OnFailureTarget } from './internal/iam';
