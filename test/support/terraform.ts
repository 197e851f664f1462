/** Moved to local/terraform.ts (`npm run local` applies tables with it too); kept so existing imports keep working. */
export * from '../../local/terraform';
