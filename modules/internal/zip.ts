/**
 * Deterministic zip files for Lambda code.
 *
 * cdktf zips an ARCHIVE asset by spawning a child process per asset (about 250 ms each here) and
 * writes entry mtimes, so its zips differ on every synth. We write the zip ourselves, in process,
 * with fixed timestamps and sorted entries: the same files always give the same bytes, and the
 * zip is cached by content hash so a warm synth only copies it.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'fs';
import { dirname, join, relative, sep } from 'path';
import { crc32, deflateRawSync } from 'zlib';

export interface ZipEntry {
  /** Path inside the zip, with forward slashes. */
  readonly name: string;
  readonly contents: Uint8Array;
}

// 1980-01-01 00:00:00, the earliest DOS date: a fixed time keeps the bytes reproducible.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
// Regular file, rw-r--r--, in the upper 16 bits of the external attributes (made by Unix).
const UNIX_FILE_MODE = (0o100644 << 16) >>> 0;

/** Builds a zip (deflate, level 9) from entries, in name order. */
export function zipBytes(entries: ZipEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of sorted) {
    const name = Buffer.from(e.name, 'utf8');
    const data = deflateRawSync(e.contents, { level: 9 });
    const crc = crc32(e.contents);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(e.contents.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(e.contents.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(UNIX_FILE_MODE, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Every file below `dir`, named relative to it, in name order. */
export function directoryEntries(dir: string): ZipEntry[] {
  const out: ZipEntry[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ name: relative(dir, p).split(sep).join('/'), contents: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

/**
 * The zip of `dir`, made once per content hash under `cacheDir/zips` (written to a temporary
 * name and renamed, so a concurrent synth never reads half a file). Returns its path.
 */
export function cachedDirectoryZip(dir: string, contentHash: string, cacheDir: string): string {
  const path = join(cacheDir, 'zips', contentHash, 'lambda.zip');
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const bytes = zipBytes(directoryEntries(dir));
  const tmp = `${path}.${process.pid}.${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return path;
}
