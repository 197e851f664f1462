/** jest's globalTeardown: stops the DynamoDB Local pool (dynamodb-local-pool.ts). */
export { stopPool as default } from './dynamodb-local-pool';
