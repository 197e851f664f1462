import { execFileSync } from 'child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cachedDirectoryZip, zipBytes } from '../../modules/internal/zip';

/** Python's zipfile is an independent reader: it checks CRCs and returns names, modes and bytes. */
function readWithPython(zipPath: string): { name: string; mode: number; data: string }[] {
  const script =
    'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([{"name":i.filename,"mode":i.external_attr>>16,"data":z.read(i).decode()} for i in z.infolist()]))';
  return JSON.parse(execFileSync('python3', ['-c', script, zipPath], { encoding: 'utf8' }));
}

describe('deterministic zip', () => {
  test('GIVEN files WHEN zipped THEN an independent reader gets the same names, bytes and a 0644 mode, in name order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    const path = join(dir, 'x.zip');
    const big = 'exports.handler = async () => 1;\n'.repeat(500);
    writeFileSync(
      path,
      zipBytes([
        { name: 'lib/util.js', contents: Buffer.from('u') },
        { name: 'index.js', contents: Buffer.from(big) },
        { name: 'empty.txt', contents: Buffer.alloc(0) },
      ]),
    );
    expect(readWithPython(path)).toEqual([
      { name: 'empty.txt', mode: 0o100644, data: '' },
      { name: 'index.js', mode: 0o100644, data: big },
      { name: 'lib/util.js', mode: 0o100644, data: 'u' },
    ]);
  });

  test('GIVEN the same files in another order at another time WHEN zipped THEN the bytes are identical', () => {
    const a = zipBytes([
      { name: 'a', contents: Buffer.from('1') },
      { name: 'b', contents: Buffer.from('2') },
    ]);
    const b = zipBytes([
      { name: 'b', contents: Buffer.from('2') },
      { name: 'a', contents: Buffer.from('1') },
    ]);
    expect(a.equals(b)).toBe(true);
    expect(
      a.equals(
        zipBytes([
          { name: 'a', contents: Buffer.from('1') },
          { name: 'b', contents: Buffer.from('3') },
        ]),
      ),
    ).toBe(false);
  });

  test('GIVEN a directory WHEN zipped through the cache twice THEN the second call returns the same file without rewriting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zipdir-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'index.js'), 'x');
    writeFileSync(join(dir, 'sub', 'y.js'), 'y');
    const cache = mkdtempSync(join(tmpdir(), 'zipcache-'));
    const first = cachedDirectoryZip(dir, 'hash1', cache);
    writeFileSync(join(dir, 'index.js'), 'changed'); // same hash claimed: the cache must not look at the files again
    const second = cachedDirectoryZip(dir, 'hash1', cache);
    expect(second).toBe(first);
    expect(readWithPython(second).map((e) => [e.name, e.data])).toEqual([
      ['index.js', 'x'],
      ['sub/y.js', 'y'],
    ]);
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
  });
});
