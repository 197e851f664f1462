/**
 * Runs the real `terraform` with the real hashicorp/aws provider, without AWS.
 *
 * Where the provider comes from (CONTRIBUTING.md, "Running the terraform tier offline"):
 * - TF_PROVIDER_MIRROR names a filesystem mirror (the folder `terraform providers mirror` writes,
 *   which contains registry.terraform.io/): every run installs hashicorp/aws from it and never
 *   contacts a registry. CI and offline machines use this.
 * - Otherwise the public registry, through a plugin cache (TF_PLUGIN_CACHE_DIR, or .cache/ in the
 *   repository), so the provider is downloaded once, not once per test.
 * Each run gets its own CLI config file saying so. AWS is never called: the provider gets fake
 * credentials and the skip_* flags, which is enough for init, validate and plan of resources that
 * do not read remote state (no data sources that call AWS APIs; our constructs render IAM JSON
 * themselves for that reason).
 */
import { execFileSync, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { projectRoot } from './dynamodb-local';

/** The provider the terraform tier plans with: the one @cdktf/provider-aws 20 binds. */
export const AWS_PROVIDER_VERSION = '5.100.0';
/** The environment variable that names a filesystem mirror of the providers. */
export const MIRROR_ENV = 'TF_PROVIDER_MIRROR';

export type ProviderSource =
  | { readonly kind: 'mirror'; readonly dir: string }
  | { readonly kind: 'registry'; readonly pluginCacheDir: string };

/** Where `terraform init` installs hashicorp/aws from, as the environment says. */
export function providerSource(env: NodeJS.ProcessEnv = process.env): ProviderSource {
  const mirror = env[MIRROR_ENV];
  if (mirror) return { kind: 'mirror', dir: resolve(mirror) };
  return {
    kind: 'registry',
    pluginCacheDir: resolve(env.TF_PLUGIN_CACHE_DIR || join(projectRoot(), '.cache', 'terraform-plugins')),
  };
}

/** Whether a mirror holds hashicorp/aws `version` (for any platform). */
export function mirrorHas(dir: string, version: string): boolean {
  return existsSync(join(dir, 'registry.terraform.io', 'hashicorp', 'aws', version));
}

/** Fails with a clear message when terraform is not installed; returns its version line. */
export function requireTerraform(): string {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(
      'terraform tests need the `terraform` CLI (1.11) on PATH; it was not found or did not run: ' + (r.error?.message ?? r.stderr),
    );
  }
  return r.stdout.split('\n')[0];
}

/**
 * Writes a CLI config for `source` into `dir` and returns its path: a mirror is the only place
 * hashicorp/aws may come from; the registry goes through the plugin cache.
 */
export function writeCliConfig(dir: string, source: ProviderSource = providerSource()): string {
  const path = join(dir, 'terraform.tfrc');
  if (source.kind === 'mirror') {
    if (!mirrorHas(source.dir, AWS_PROVIDER_VERSION)) {
      throw new Error(
        `${MIRROR_ENV}=${source.dir} holds no hashicorp/aws ${AWS_PROVIDER_VERSION} (no registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION} in it). ` +
          `Fill it with \`terraform providers mirror ${source.dir}\` in a folder whose configuration requires hashicorp/aws ${AWS_PROVIDER_VERSION}, or unset ${MIRROR_ENV} to install from the registry.`,
      );
    }
    writeFileSync(
      path,
      `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(source.dir)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct { exclude = ["registry.terraform.io/*/*"] }
}
`,
    );
  } else {
    mkdirSync(source.pluginCacheDir, { recursive: true });
    // Every run initializes a fresh folder without a lock file; without the second setting
    // Terraform (>= 1.4) would download the provider again instead of using the cache.
    writeFileSync(
      path,
      `plugin_cache_dir = ${JSON.stringify(source.pluginCacheDir)}\nplugin_cache_may_break_dependency_lock_file = true\n`,
    );
  }
  return path;
}

/** What to do when `terraform init` could not install the provider from `source`. */
export function installHint(source: ProviderSource): string {
  return source.kind === 'mirror'
    ? `terraform installs hashicorp/aws only from the mirror ${source.dir} (${MIRROR_ENV}); check that it holds the version the configuration requires.`
    : `terraform installs hashicorp/aws from the public registry (no ${MIRROR_ENV} is set). Without registry access, point ${MIRROR_ENV} at a filesystem mirror (CONTRIBUTING.md, "Running the terraform tier offline").`;
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
  /**
   * `init` and `plan -out` (plan validates the configuration first, exactly as `validate` does, so
   * a separate `validate` would only start the 600 MB provider once more); returns
   * `terraform show -json` of the plan.
   */
  initValidatePlan(): any;
  /**
   * `init` and `plan -json` (which validates the configuration first); returns the planned action
   * per resource address. Two terraform runs instead of four, for callers that need no more.
   */
  initPlanActions(): Record<string, string>;
}

/**
 * Copies a folder of Terraform (a synthesized stack folder, or hand-written HCL) to a scratch
 * folder and prepares terraform there with the offline CLI config.
 */
export function terraformIn(
  sourceDir: string,
  opts: { offlineProviders?: boolean; inPlace?: boolean; env?: Readonly<Record<string, string>> } = {},
): TerraformRun {
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
  const source = providerSource();
  const cliConfig = writeCliConfig(dir, source);
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    TF_DATA_DIR: join(dir, '.terraform'),
    ...opts.env,
  };
  const run = (args: string[]): string => {
    try {
      return execFileSync('terraform', [...args], {
        cwd: dir,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
    } catch (e: any) {
      const hint = args[0] === 'init' ? `\n${installHint(source)}` : '';
      throw new Error(`terraform ${args.join(' ')} failed in ${dir}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}${hint}`);
    }
  };
  return {
    dir,
    run,
    initValidatePlan() {
      run(['init', '-input=false', '-no-color']);
      run(['plan', '-input=false', '-no-color', '-lock=false', '-refresh=false', '-out=plan.tfplan']);
      return JSON.parse(run(['show', '-json', 'plan.tfplan']));
    },
    initPlanActions() {
      run(['init', '-input=false', '-no-color']);
      const events = run(['plan', '-json', '-input=false', '-lock=false', '-refresh=false'])
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      return Object.fromEntries(events.filter((e) => e.type === 'planned_change').map((e) => [e.change.resource.addr, e.change.action]));
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
