/** Key schema and secondary indexes of a table (StreamTable, ReplicatedTable). */

/** DynamoDB scalar types a key attribute may have: string, number, binary. */
export type AttributeType = 'S' | 'N' | 'B';

/** A key attribute: its name and its DynamoDB type. */
export interface KeyAttribute {
  /** Attribute name, 1..255 characters. */
  readonly name: string;
  /** `S` (string), `N` (number) or `B` (binary). */
  readonly type: AttributeType;
}

/** Which attributes an index copies from the table. */
export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

/** A global secondary index: its own partition (and optional sort) key over the whole table. */
export interface GlobalSecondaryIndexProps {
  /** Index name, 3..255 characters of [a-zA-Z0-9_.-], unique within the table. */
  readonly name: string;
  /** Partition key of the index. */
  readonly partitionKey: KeyAttribute;
  /** Sort key of the index. @default none */
  readonly sortKey?: KeyAttribute;
  /** Attributes copied into the index. @default 'ALL' */
  readonly projectionType?: ProjectionType;
  /** Non-key attributes copied into the index; required with, and only allowed with, `INCLUDE`. @default none */
  readonly nonKeyAttributes?: string[];
  /** Read capacity units; required with, and only allowed with, a PROVISIONED table. @default none */
  readonly readCapacity?: number;
  /** Write capacity units; required with, and only allowed with, a PROVISIONED table. @default none */
  readonly writeCapacity?: number;
}

/** A local secondary index: the table's partition key with another sort key. Tables need a sort key for these. */
export interface LocalSecondaryIndexProps {
  /** Index name, 3..255 characters of [a-zA-Z0-9_.-], unique within the table. */
  readonly name: string;
  /** Alternative sort key. */
  readonly sortKey: KeyAttribute;
  /** Attributes copied into the index. @default 'ALL' */
  readonly projectionType?: ProjectionType;
  /** Non-key attributes copied into the index; required with, and only allowed with, `INCLUDE`. @default none */
  readonly nonKeyAttributes?: string[];
}
