/**
 * Unpacks a Lambda deployment zip (the very file Terraform would upload) into a folder, the way
 * Lambda lays out /var/task. Reads the central directory; stored and deflated entries, which is
 * what zip tools and modules/internal/zip.ts write. Anything else is refused by name.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join, normalize, sep } from 'path';
import { inflateRawSync } from 'zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;

export function unzipTo(zipPath: string, outDir: string): string[] {
  const zip = readFileSync(zipPath);
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== END_OF_CENTRAL_DIRECTORY) eocd--;
  if (eocd < 0) throw new Error(`${zipPath} is not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_ENTRY) throw new Error(`${zipPath}: central directory entry ${i} is corrupt`);
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const target = normalize(join(outDir, name));
    if (!target.startsWith(normalize(outDir) + sep)) throw new Error(`${zipPath}: entry ${name} would be written outside ${outDir}`);
    if (zip.readUInt32LE(localOffset) !== LOCAL_ENTRY) throw new Error(`${zipPath}: local header of ${name} is corrupt`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    let contents: Buffer;
    if (method === 0) contents = Buffer.from(data);
    else if (method === 8) contents = inflateRawSync(data);
    else throw new Error(`${zipPath}: entry ${name} uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, contents);
    names.push(name);
  }
  return names;
}
