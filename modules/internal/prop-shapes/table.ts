/** Shapes of the table props: StreamTable, its keys and indexes, and the imported tables. */
import type { GlobalSecondaryIndexProps, KeyAttribute, LocalSecondaryIndexProps } from '../../props/table-schema';
import type { StreamTableAttributes, StreamTableLookupOptions, StreamTableProps } from '../../stream-table';
import { o, r, shapeOf } from '../known-props';
import { arrayOf, object } from './nested';

export const KeyAttributeShape = shapeOf<KeyAttribute>('KeyAttribute', { name: r(), type: r() });
export const key = object(KeyAttributeShape);

export const GlobalSecondaryIndexShape = shapeOf<GlobalSecondaryIndexProps>('GlobalSecondaryIndexProps', {
  name: r(),
  partitionKey: r(key),
  sortKey: o(key),
  projectionType: o(),
  nonKeyAttributes: o(),
  readCapacity: o(),
  writeCapacity: o(),
});
export const LocalSecondaryIndexShape = shapeOf<LocalSecondaryIndexProps>('LocalSecondaryIndexProps', {
  name: r(),
  sortKey: r(key),
  projectionType: o(),
  nonKeyAttributes: o(),
});

export const StreamTableShape = shapeOf<StreamTableProps>('StreamTableProps', {
  tableName: r(),
  partitionKey: r(key),
  sortKey: o(key),
  billingMode: o(),
  readCapacity: o(),
  writeCapacity: o(),
  streamViewType: o(),
  globalSecondaryIndexes: o(arrayOf(GlobalSecondaryIndexShape)),
  localSecondaryIndexes: o(arrayOf(LocalSecondaryIndexShape)),
  timeToLiveAttribute: o(),
  encryption: o(),
  encryptionKeyArn: o(),
  pointInTimeRecovery: o(),
  pointInTimeRecoveryDays: o(),
  deletionProtection: o(),
  preventDestroy: o(),
  tableClass: o(),
  tags: o(),
  provider: o(),
});
const tableLookupFields = { streamViewType: o(), encryptionKeyArn: o(), indexNames: o(), provider: o() };
export const StreamTableLookupShape = shapeOf<StreamTableLookupOptions>('StreamTableLookupOptions', tableLookupFields);
export const StreamTableAttributesShape = shapeOf<StreamTableAttributes>('StreamTableAttributes', {
  ...tableLookupFields,
  tableArn: r(),
  streamArn: r(),
});
