/**
 * The provider schema as a prebuilt binding package records it (@cdktf/provider-aws,
 * @cdktn/provider-aws), and a check of synthesized Terraform JSON against it. Used where no
 * provider binary can validate the output (hashicorp/aws 6.x here).
 *
 * The binding generator writes, for every argument and nested block of a resource's `...Config`
 * interface, a JSDoc link to the registry docs whose anchor is the Terraform name
 * (`{@link https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/dynamodb_table#billing_mode ...}`),
 * and, in the JavaScript, a getter per readable attribute (`this.getStringAttribute('stream_arn')`).
 * Both come from the provider's schema, not from this repository.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

/** One block of the schema: its arguments and nested blocks by Terraform name (nested blocks have a schema). */
export interface BlockSchema {
  readonly fields: ReadonlyMap<string, BlockSchema | undefined>;
}

export interface TypeSchema {
  /** What a configuration may set. */
  readonly config: BlockSchema;
  /** Every attribute an expression may read (arguments and computed attributes). */
  readonly readable: ReadonlySet<string>;
}

export type SchemaKind = 'resource' | 'data' | 'provider';

/** Meta-arguments Terraform itself handles, in every resource and data block. */
const META = new Set(['//', 'provider', 'depends_on', 'count', 'for_each', 'lifecycle', 'provisioner', 'connection']);

export class BindingSchema {
  private readonly cache = new Map<string, TypeSchema>();

  /** `root` is the binding package folder (node_modules/@cdktf/provider-aws). */
  constructor(private readonly root: string) {}

  /** The hashicorp/aws version the binding was generated from (from its docs links). */
  get providerVersion(): string {
    const text = readFileSync(join(this.root, 'lib', 'provider', 'index.d.ts'), 'utf8');
    const m = /registry\.terraform\.io\/providers\/hashicorp\/aws\/(\d+\.\d+\.\d+)\//.exec(text);
    if (!m) throw new Error(`${this.root}: no hashicorp/aws version in lib/provider/index.d.ts`);
    return m[1];
  }

  /** The schema of one resource type, data source type, or the provider (`aws`). */
  schema(kind: SchemaKind, type: string): TypeSchema {
    const key = `${kind}:${type}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.read(kind, type);
      this.cache.set(key, found);
    }
    return found;
  }

  private read(kind: SchemaKind, type: string): TypeSchema {
    const dir = kind === 'provider' ? 'provider' : `${kind === 'data' ? 'data-' : ''}${type.replace(/_/g, '-')}`.replace(/^aws-/, '');
    const dts = join(this.root, 'lib', dir, 'index.d.ts');
    if (!existsSync(dts)) throw new Error(`the binding at ${this.root} has no ${kind} ${type} (no lib/${dir})`);
    const source = ts.createSourceFile(dts, readFileSync(dts, 'utf8'), ts.ScriptTarget.ES2022, true);
    const interfaces = new Map<string, ts.InterfaceDeclaration>();
    let className: string | undefined;
    source.forEachChild((node) => {
      if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
      if (ts.isClassDeclaration(node) && node.name) {
        const tfType = node.members.find((m) => ts.isPropertyDeclaration(m) && m.name.getText(source) === 'tfResourceType') as
          | ts.PropertyDeclaration
          | undefined;
        if (
          tfType?.initializer &&
          ts.isStringLiteral(tfType.initializer) &&
          tfType.initializer.text === (kind === 'provider' ? 'aws' : type)
        )
          className = node.name.text;
      }
    });
    const config = className && interfaces.get(`${className}Config`);
    if (!config) throw new Error(`${dts}: no class with tfResourceType ${type} and its Config interface`);
    const block = (decl: ts.InterfaceDeclaration, seen: Set<string>): BlockSchema => {
      const fields = new Map<string, BlockSchema | undefined>();
      for (const member of decl.members) {
        if (!ts.isPropertySignature(member)) continue;
        const link = /#([a-z0-9_]+) [A-Za-z0-9]+#\1\}/.exec(member.getFullText(source));
        if (!link) continue; // meta-arguments inherited from TerraformMetaArguments carry no registry link
        const nested = (member.type ? (member.type.getText(source).match(/\b[A-Z]\w*\b/g) ?? []) : []).find(
          (n) => interfaces.has(n) && !seen.has(n),
        );
        fields.set(link[1], nested ? block(interfaces.get(nested)!, new Set([...seen, nested])) : undefined);
      }
      return { fields };
    };
    const schema = block(config, new Set([config.name.text]));
    const js = readFileSync(join(this.root, 'lib', dir, 'index.js'), 'utf8');
    const getters = [...js.matchAll(/\.get\w*Attribute\('([a-z0-9_]+)'\)|\(this, "([a-z0-9_]+)"/g)].map((m) => m[1] ?? m[2]);
    return { config: schema, readable: new Set([...schema.fields.keys(), ...getters]) };
  }
}

/**
 * Every argument, nested block and attribute reference of a synthesized stack (cdk.tf.json) that
 * the binding's schema does not know; empty when the stack fits the binding.
 */
export function unknownAttributes(tf: any, binding: BindingSchema): string[] {
  const problems: string[] = [];
  const checkBlock = (where: string, body: unknown, schema: BlockSchema, top: boolean): void => {
    if (typeof body !== 'object' || body === null) return; // a token string for a whole block
    for (const item of Array.isArray(body) ? body : [body]) {
      if (typeof item !== 'object' || item === null) continue;
      for (const [key, value] of Object.entries(item)) {
        if (top && META.has(key)) continue;
        if (!schema.fields.has(key)) {
          problems.push(`${where}: "${key}" is not an argument of hashicorp/aws ${binding.providerVersion}`);
          continue;
        }
        const nested = schema.fields.get(key);
        if (nested) checkBlock(`${where}.${key}`, value, nested, false);
      }
    }
  };
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<Record<string, unknown>>(tf[kind] ?? {})) {
      const schema = binding.schema(kind, type);
      for (const [name, body] of Object.entries(byName))
        checkBlock(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, body, schema.config, true);
    }
  }
  for (const [i, body] of ([] as unknown[]).concat(tf.provider?.aws ?? []).entries()) {
    checkBlock(`provider.aws[${i}]`, body, binding.schema('provider', 'aws').config, true);
  }
  // References in expressions: `${aws_sqs_queue.x.url}`, `data.aws_region.r.name`, inside any string.
  const text = JSON.stringify(tf);
  for (const m of text.matchAll(/(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g)) {
    const [ref, data, type, , attribute] = m;
    const declared = tf[data ? 'data' : 'resource']?.[type];
    if (!declared) continue; // not a reference to a block of this stack (e.g. inside a description)
    if (!binding.schema(data ? 'data' : 'resource', type).readable.has(attribute))
      problems.push(
        `${ref}: "${attribute}" is not an attribute of ${data ? 'data source' : 'resource'} ${type} in hashicorp/aws ${binding.providerVersion}`,
      );
  }
  return [...new Set(problems)].sort();
}
