/** Moved to local/dynamodb-local.ts (`npm run local` runs it too); kept so existing imports keep working. */
export * from '../../local/dynamodb-local';
