/**
 * Runs the real `terraform` with the real hashicorp/aws provider, offline.
 *
 * The Terraform registry is not reachable from our machines or CI, so every run gets its own CLI
 * config file that installs hashicorp/aws only from the provider mirror on the machine. AWS is
 * never called: the provider gets fake credentials and the skip_* flags, which is enough for
 * init, validate and plan of resources that do not read remote state (no data sources that call
 * AWS APIs; our constructs render IAM JSON themselves for that reason).
 */
import { execFileSync, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export const AWS_PROVIDER_VERSION = '5.100.0';
const MIRROR_CANDIDATES = [process.env.TF_PROVIDER_MIRROR, '/opt/tf-plugins', '/usr/share/terraform/plugins', `${process.env.HOME}/.terraform.d/plugins`];

/** The filesystem mirror that holds hashicorp/aws 5.100.0, or a clear error saying what is missing. */
export function providerMirror(): string {
  for (const dir of MIRROR_CANDIDATES) {
    if (dir && existsSync(join(dir, 'registry.terraform.io/hashicorp/aws', AWS_PROVIDER_VERSION))) return dir;
  }
  throw new Error(
    `terraform tests need a filesystem mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} ` +
      `(looked in ${MIRROR_CANDIDATES.filter(Boolean).join(', ')}; set TF_PROVIDER_MIRROR to its root, ` +
      `the folder that contains registry.terraform.io/).`,
  );
}

/** Fails with a clear message when terraform is not installed; returns its version line. */
export function requireTerraform(): string {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('terraform tests need the `terraform` CLI (1.11) on PATH; it was not found or did not run: ' + (r.error?.message ?? r.stderr));
  }
  return r.stdout.split('\n')[0];
}

/** Writes a CLI config that installs hashicorp/aws from the local mirror only; returns its path. */
export function writeCliConfig(dir: string): string {
  const path = join(dir, 'offline.tfrc');
  writeFileSync(
    path,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(providerMirror())}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/*/*"] }
}
`,
  );
  return path;
}

/** Settings that let the aws provider plan without credentials or network. */
export const OFFLINE_PROVIDER_SETTINGS = {
  access_key: 'AKIAOFFLINETEST00000',
  secret_key: 'offline-test-secret',
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
};

/**
 * Adds the offline settings to every aws provider block of a synthesized `cdk.tf.json`
 * (a stack meant for real use carries none of them).
 */
export function makeOffline(tfJson: any): any {
  const copy = JSON.parse(JSON.stringify(tfJson));
  const providers = copy.provider?.aws;
  for (const p of Array.isArray(providers) ? providers : providers ? [providers] : []) Object.assign(p, OFFLINE_PROVIDER_SETTINGS);
  return copy;
}

export interface TerraformRun {
  dir: string;
  run(args: string[]): string;
  /** `init`, `validate` and `plan -out`; returns `terraform show -json` of the plan. */
  initValidatePlan(): any;
}

/**
 * Copies a folder of Terraform (a synthesized stack folder, or hand-written HCL) to a scratch
 * folder and prepares terraform there with the offline CLI config.
 */
export function terraformIn(sourceDir: string, opts: { offlineProviders?: boolean; inPlace?: boolean } = {}): TerraformRun {
  requireTerraform();
  // In place: for roots that reach modules by relative paths (the caller made a scratch tree).
  const dir = opts.inPlace ? sourceDir : mkdtempSync(join(tmpdir(), 'tf-'));
  if (!opts.inPlace) cpSync(sourceDir, dir, { recursive: true, filter: (src) => !src.includes('.terraform') && !src.endsWith('.tfstate') });
  if (opts.offlineProviders !== false) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.tf.json'))) {
      const p = join(dir, f);
      writeFileSync(p, JSON.stringify(makeOffline(JSON.parse(readFileSync(p, 'utf8'))), null, 2));
    }
    writeHclProviderOverride(dir);
  }
  const cliConfig = writeCliConfig(dir);
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_DATA_DIR: join(dir, '.terraform'),
  };
  const run = (args: string[]): string => {
    try {
      return execFileSync('terraform', [...args], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    } catch (e: any) {
      throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
    }
  };
  return {
    dir,
    run,
    initValidatePlan() {
      run(['init', '-input=false', '-no-color']);
      run(['validate', '-no-color']);
      run(['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false', '-out=plan.tfplan']);
      return JSON.parse(run(['show', '-json', 'plan.tfplan']));
    },
  };
}

/**
 * Hand-written HCL roots configure their own aws providers; an override file (merged by
 * Terraform into the provider block of the same alias) adds the offline settings to each.
 */
function writeHclProviderOverride(dir: string): void {
  const blocks = readdirSync(dir)
    .filter((n) => n.endsWith('.tf'))
    .flatMap((n) => [...readFileSync(join(dir, n), 'utf8').matchAll(/provider\s+"aws"\s*\{([^}]*)\}/g)].map((m) => m[1]));
  if (!blocks.length) return;
  const aliases = blocks.map((body) => /alias\s*=\s*"([^"]+)"/.exec(body)?.[1]);
  const provider = aliases.map((alias) => ({ ...(alias ? { alias } : {}), ...OFFLINE_PROVIDER_SETTINGS }));
  writeFileSync(join(dir, 'offline_override.tf.json'), JSON.stringify({ provider: { aws: provider } }, null, 2));
}

/** Writes a synthesized stack JSON into a fresh folder and returns it, for `terraformIn`. */
export function stackFolder(tfJson: string | object): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-'));
  writeFileSync(join(dir, 'cdk.tf.json'), typeof tfJson === 'string' ? tfJson : JSON.stringify(tfJson));
  return dir;
}
