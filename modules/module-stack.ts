import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformAsset, TerraformOutput, TerraformStack, TerraformVariable, TerraformVariableValidationConfig } from 'cdktf';
import { Construct } from 'constructs';
import { PropsValidator } from './internal/validation';
import { checkKnownProps } from './internal/known-props';
import { PROP_SHAPES } from './internal/prop-shapes';

/** Props of a {@link ModuleStack}. */
export interface ModuleStackProps {
  /**
   * Provider aliases the module expects from its caller, one per extra region (for example
   * `["replica_eu"]`). Each becomes a `configuration_aliases` entry, and
   * {@link ModuleStack.provider} gives the construct to pass as `provider` to resources.
   * Names: letters, digits and underscores, starting with a letter.
   * @default [] (only the caller's default aws provider)
   */
  readonly providerAliases?: string[];
  /**
   * Version constraint written for hashicorp/aws. A module must accept a range so that the
   * estate's root module decides the exact version. The default admits every provider major the
   * consumer matrix checks the output against (5.100 and 6.x, see docs/aws-provider-6.md); a 7.x
   * has breaking changes nobody has checked yet.
   * @default ">= 5.100.0, < 7.0.0"
   */
  readonly awsVersionConstraint?: string;
}

/** Options of a module input variable. */
export interface ModuleVariableOptions {
  /** Terraform type expression, e.g. `string`, `number`, `map(string)`, `list(string)`. */
  readonly type: string;
  /** What the variable means, shown to the module's callers. */
  readonly description: string;
  /** Value when the caller passes none. @default none: the variable is required */
  readonly default?: unknown;
  /** Whether the caller may pass null. @default true (Terraform's default) */
  readonly nullable?: boolean;
  /** Hide the value in plan output. @default false */
  readonly sensitive?: boolean;
  /** Terraform-side checks; use the same wording as the constructs' validation messages. */
  readonly validation?: TerraformVariableValidationConfig[];
}

const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
const DEFAULT_AWS_VERSION_CONSTRAINT = '>= 5.100.0, < 7.0.0';

/**
 * A stack that synthesizes a real Terraform module for existing estates: no provider blocks and
 * no backend (so callers can use `count`, `for_each` and `depends_on`, which Terraform refuses
 * for modules that configure their own providers), a hashicorp/aws version range with
 * `configuration_aliases` for every extra region, variables and outputs with the exact names
 * given (not cdktf's hashed logical ids), and asset paths under `${path.module}`.
 *
 * Provider constructs still exist in the construct tree, because resources must name the
 * provider alias they use; they are only left out of the synthesized JSON.
 */
export class ModuleStack extends TerraformStack {
  private readonly providers = new Map<string, AwsProvider>();
  /** The hashicorp/aws version range the module declares. */
  readonly awsVersionConstraint: string;

  constructor(scope: Construct, id: string, props: ModuleStackProps = {}) {
    super(scope, id);
    checkKnownProps(this, PROP_SHAPES.ModuleStackProps, props);
    const aliases = props.providerAliases ?? [];
    const v = new PropsValidator(this);
    for (const alias of aliases)
      v.matches('providerAliases[]', alias, ALIAS_PATTERN, 'a Terraform identifier: a letter, then letters, digits or underscores');
    v.require(new Set(aliases).size === aliases.length, `providerAliases must not repeat a name (got ${JSON.stringify(aliases)})`);
    this.awsVersionConstraint = props.awsVersionConstraint ?? DEFAULT_AWS_VERSION_CONSTRAINT;
    v.require(
      !/^\s*=?\s*\d+\.\d+\.\d+\s*$/.test(this.awsVersionConstraint),
      `awsVersionConstraint must be a range such as "${DEFAULT_AWS_VERSION_CONSTRAINT}", not an exact pin, ` +
        `so the calling estate chooses the version (got ${JSON.stringify(this.awsVersionConstraint)})`,
    );
    v.throwIfInvalid();
    // The caller's configuration wins; these only give resources something to reference.
    this.providers.set('', new AwsProvider(this, 'aws', {}));
    for (const alias of aliases) this.providers.set(alias, new AwsProvider(this, `aws_${alias}`, { alias }));
  }

  /** The provider for an alias declared in `providerAliases`, or the default one. */
  provider(alias?: string): AwsProvider {
    const p = this.providers.get(alias ?? '');
    if (!p)
      throw new Error(
        `${this.node.path}: provider alias ${JSON.stringify(alias)} is not declared; ` +
          `declared: ${JSON.stringify([...this.providers.keys()].filter(Boolean))}`,
      );
    return p;
  }

  /** An input variable whose Terraform name is exactly `name`. */
  variable(name: string, opts: ModuleVariableOptions): TerraformVariable {
    checkKnownProps(this, PROP_SHAPES.ModuleVariableOptions, opts);
    const variable = new TerraformVariable(this, `var_${name}`, opts);
    variable.overrideLogicalId(name);
    return variable;
  }

  /** An output whose Terraform name is exactly `name`. */
  output(name: string, value: unknown, description: string): TerraformOutput {
    const output = new TerraformOutput(this, `out_${name}`, { value, description });
    output.overrideLogicalId(name);
    return output;
  }

  /** The synthesized module: no provider blocks or backend (its caller passes the providers), and hashicorp/aws with its version constraint and aliases. */
  // biome-ignore lint/suspicious/noExplicitAny: the signature of TerraformStack.toTerraform.
  toTerraform(): any {
    const tf = super.toTerraform();
    delete tf.provider;
    const terraform = tf.terraform ?? {};
    delete terraform.backend;
    const aliases = [...this.providers.keys()].filter(Boolean).map((a) => `aws.${a}`);
    terraform.required_providers = {
      ...terraform.required_providers,
      aws: { source: 'hashicorp/aws', version: this.awsVersionConstraint, ...(aliases.length ? { configuration_aliases: aliases } : {}) },
    };
    tf.terraform = terraform;
    return relocateAssets(
      tf,
      new Set(
        this.node
          .findAll()
          .filter((c): c is TerraformAsset => c instanceof TerraformAsset)
          .map((a) => a.path),
      ),
    );
  }
}

/** Terraform resolves relative paths against the root module; a module's files live under path.module. */
function relocateAssets(value: unknown, assetPaths: Set<string>): unknown {
  if (typeof value === 'string') return assetPaths.has(value) ? `\${path.module}/${value}` : value;
  if (Array.isArray(value)) return value.map((v) => relocateAssets(v, assetPaths));
  if (value && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    for (const k of Object.keys(fields)) fields[k] = relocateAssets(fields[k], assetPaths);
  }
  return value;
}
