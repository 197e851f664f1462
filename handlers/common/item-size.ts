/**
 * DynamoDB's item size accounting (400 KB including attribute names), so that an item that can
 * never be written is parked before a write is even tried. Follows the developer guide's rules:
 * UTF-8 names and strings, binaries by length, numbers about one byte per two significant digits
 * plus one, 1 byte for BOOL/NULL, 3 bytes per list or map plus 1 per element.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../lww';

export const MAX_ITEM_BYTES = 400 * 1024;

function numberSize(n: string): number {
  const digits = n
    .replace(/^[-+]?/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function attributeSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((s, x) => s + Buffer.byteLength(x, 'utf8'), 0);
  if (v.NS !== undefined) return v.NS.reduce((s, x) => s + numberSize(x), 0);
  if (v.BS !== undefined) return v.BS.reduce((s, x) => s + x.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((s, x) => s + 1 + attributeSize(x), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((s, [k, x]) => s + 1 + Buffer.byteLength(k, 'utf8') + attributeSize(x), 0);
  return 0;
}

export function itemSize(item: Item): number {
  let total = 0;
  for (const [name, v] of Object.entries(item)) total += Buffer.byteLength(name, 'utf8') + attributeSize(v);
  return total;
}
