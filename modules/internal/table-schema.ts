import { Token } from 'cdktf';
import { LIMITS } from './limits';
import { PropsValidator } from './validation';
import type {
  AttributeType,
  GlobalSecondaryIndexProps,
  KeyAttribute,
  LocalSecondaryIndexProps,
  ProjectionType,
} from '../props/table-schema';

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['S', 'N', 'B'];
const PROJECTIONS: readonly ProjectionType[] = ['ALL', 'KEYS_ONLY', 'INCLUDE'];

interface SchemaInput {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes?: GlobalSecondaryIndexProps[];
  readonly localSecondaryIndexes?: LocalSecondaryIndexProps[];
  readonly provisioned: boolean;
}

/**
 * Checks the key schema and the indexes, and returns the attribute definitions Terraform needs:
 * every key attribute exactly once. Only key attributes may be declared; the provider rejects
 * attribute definitions that no key uses.
 */
export function validateSchema(v: PropsValidator, input: SchemaInput): KeyAttribute[] {
  const declared = new Map<string, { type: AttributeType; where: string }>();
  const key = (prop: string, attr: KeyAttribute | undefined): void => {
    if (!attr) return;
    v.matches(`${prop}.name`, attr.name, /^[\s\S]{1,255}$/, `${LIMITS.attributeNameChars[0]}..${LIMITS.attributeNameChars[1]} characters`);
    v.oneOf(`${prop}.type`, attr.type, ATTRIBUTE_TYPES);
    const seen = declared.get(attr.name);
    if (!seen) declared.set(attr.name, { type: attr.type, where: prop });
    else if (seen.type !== attr.type) {
      v.fail(
        `${prop}.type`,
        attr.type,
        JSON.stringify(seen.type),
        `attribute "${attr.name}" is already a key of type ${seen.type} in ${seen.where}, and DynamoDB declares each attribute once`,
      );
    }
  };
  key('partitionKey', input.partitionKey);
  key('sortKey', input.sortKey);

  const gsis = input.globalSecondaryIndexes ?? [];
  const lsis = input.localSecondaryIndexes ?? [];
  v.integer('globalSecondaryIndexes.length', gsis.length, 0, LIMITS.globalSecondaryIndexes, { why: 'the AWS default quota per table' });
  v.integer('localSecondaryIndexes.length', lsis.length, 0, LIMITS.localSecondaryIndexes, { why: 'the AWS limit per table' });

  const names = new Set<string>();
  const common = (prop: string, ix: { name: string; projectionType?: ProjectionType; nonKeyAttributes?: string[] }): void => {
    v.matches(`${prop}.name`, ix.name, LIMITS.indexName.pattern, LIMITS.indexName.described);
    if (names.has(ix.name)) v.fail(`${prop}.name`, ix.name, 'unique among the indexes of the table');
    names.add(ix.name);
    const projection = ix.projectionType ?? 'ALL';
    v.oneOf(`${prop}.projectionType`, projection, PROJECTIONS);
    if (projection === 'INCLUDE' && !ix.nonKeyAttributes?.length) {
      v.fail(`${prop}.nonKeyAttributes`, ix.nonKeyAttributes, 'a non-empty list with projectionType INCLUDE');
    }
    if (projection !== 'INCLUDE' && ix.nonKeyAttributes !== undefined) {
      v.fail(`${prop}.nonKeyAttributes`, ix.nonKeyAttributes, 'unset unless projectionType is INCLUDE');
    }
  };

  gsis.forEach((gsi, i) => {
    const prop = `globalSecondaryIndexes[${i}]`;
    common(prop, gsi);
    key(`${prop}.partitionKey`, gsi.partitionKey);
    key(`${prop}.sortKey`, gsi.sortKey);
    for (const cap of ['readCapacity', 'writeCapacity'] as const) {
      if (input.provisioned) {
        if (gsi[cap] === undefined)
          v.fail(`${prop}.${cap}`, undefined, 'an integer >= 1', 'a PROVISIONED table needs capacity on every global index');
        else positiveInteger(v, `${prop}.${cap}`, gsi[cap]);
      } else if (gsi[cap] !== undefined) {
        v.fail(`${prop}.${cap}`, gsi[cap], 'unset', 'a PAY_PER_REQUEST table has no provisioned capacity');
      }
    }
  });

  lsis.forEach((lsi, i) => {
    const prop = `localSecondaryIndexes[${i}]`;
    common(prop, lsi);
    key(`${prop}.sortKey`, lsi.sortKey);
  });
  if (lsis.length && !input.sortKey) {
    v.fail(
      'localSecondaryIndexes',
      lsis.map((l) => l.name),
      'empty on a table without a sortKey',
      'a local index re-sorts the partitions of a composite-key table',
    );
  }

  return [...declared.entries()].map(([name, d]) => ({ name, type: d.type })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Capacity units and similar counts: an integer >= 1 (tokens pass). */
export function positiveInteger(v: PropsValidator, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) v.fail(prop, value, 'an integer >= 1');
}
