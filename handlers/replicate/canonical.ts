/**
 * One text per item value, whatever the order its attributes (or map entries, or set members) came
 * in and whether binaries are bytes or base64: used to tell whether the item a write replaced is
 * exactly the image a stream record showed.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../lww';

export function canonicalItem(item: Item | undefined): string {
  return item === undefined ? 'absent' : canonicalMap(item);
}

function canonicalMap(map: Record<string, AttributeValue>): string {
  return `{${Object.keys(map)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalValue(map[k])}`)
    .join(',')}}`;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

export function canonicalValue(v: AttributeValue): string {
  if (v.S !== undefined) return `S${JSON.stringify(v.S)}`;
  if (v.N !== undefined) return `N${JSON.stringify(v.N)}`;
  if (v.B !== undefined) return `B${JSON.stringify(b64(v.B))}`;
  if (v.BOOL !== undefined) return `BOOL${v.BOOL}`;
  if (v.NULL !== undefined) return 'NULL';
  if (v.SS !== undefined) return `SS${JSON.stringify([...v.SS].sort())}`;
  if (v.NS !== undefined) return `NS${JSON.stringify([...v.NS].sort())}`;
  if (v.BS !== undefined) return `BS${JSON.stringify(v.BS.map(b64).sort())}`;
  if (v.L !== undefined) return `L[${v.L.map(canonicalValue).join(',')}]`;
  if (v.M !== undefined) return `M${canonicalMap(v.M)}`;
  return 'unknown';
}
