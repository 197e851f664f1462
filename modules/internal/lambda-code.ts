import { createHash } from 'crypto';
import { existsSync, readFileSync, statSync } from 'fs';
import { resolve } from 'path';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import type { Bundle, LambdaCode } from '../props/function';
import { BuildFunction, bundleCacheDir, bundleEntry, directoryHash } from './bundling';
import { cachedDirectoryZip } from './zip';

export interface BoundCode {
  /** Path of the zip inside the synthesized stack folder (asset path). */
  readonly filename: string;
  /** Content hash of the code: the bundle's bytes for entries and directories, the zip's bytes for zips. */
  readonly hash: string;
  /** The bundle, when the code was bundled from an entry (tells whether the cache was hit). */
  readonly bundle?: Bundle;
}

/**
 * Turns code into a TerraformAsset: a zip we write ourselves (deterministic, cached by content
 * hash; see zip.ts), whose asset hash and source_code_hash are the content hash of the code.
 */
export function bindCode(scope: Construct, id: string, code: LambdaCode, defaultTarget: string, build?: BuildFunction): BoundCode {
  if ('entry' in code) {
    const bundle = bundleEntry(code.entry, { target: defaultTarget, ...code.bundling }, build);
    const zip = cachedDirectoryZip(bundle.dir, bundle.hash, bundleCacheDir(code.bundling));
    const asset = new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE, assetHash: bundle.hash });
    return { filename: asset.path, hash: bundle.hash, bundle };
  }
  if ('bundleDirectory' in code) {
    const dir = resolve(code.bundleDirectory);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(`${scope.node.path}: code.bundleDirectory ${dir} is not a directory`);
    const hash = directoryHash(dir);
    const zip = cachedDirectoryZip(dir, hash, bundleCacheDir());
    const asset = new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE, assetHash: hash });
    return { filename: asset.path, hash };
  }
  const zip = resolve(code.zipFile);
  if (!existsSync(zip) || !statSync(zip).isFile()) throw new Error(`${scope.node.path}: code.zipFile ${zip} is not a file`);
  const hash = createHash('sha256').update(readFileSync(zip)).digest('hex');
  const asset = new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE, assetHash: hash });
  return { filename: asset.path, hash };
}
