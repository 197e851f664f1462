/**
 * Consumer matrix (`npm run test:matrix`, run by CI after `npm test`): both packages as users get
 * them. `npm run pack`'s tarballs are installed from the npm registry's point of view into a
 * scratch consumer project per row, each with its framework, provider binding and constructs
 * from the registry, next to a consumer app (this repository's example app with its imports
 * pointed at the package, plus test/matrix/consumer/). Per row: the installed tree, a strict
 * type-check (node10 and node16 module resolution), a synth, run-time checks of the write helper
 * and the error class, the review bin, and every emitted argument and attribute reference
 * against the row's binding schema; across rows, byte-identical resources and assets (provider
 * constraints aside). Where the provider binary is available (hashicorp/aws 5.100 here) terraform
 * init/validate/plan run on every stack. Nothing is faked.
 *
 * Needs the npm registry and terraform; says so and fails when either is missing.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PackedFlavour, packFlavours } from '../../scripts/pack-flavours';
import { terraformIn } from '../support/terraform';
import { BindingSchema, unknownAttributes } from './support/binding-schema';
import { LAMBDA_ONLY, STACKS, Consumer, timed, sh, writeConsumer, assetFiles, normalized, stackJson } from './support/consumer-project';
import { REPO, ROOT, ROWS } from './support/rows';

const consumers = new Map<string, Consumer>();
let packed: PackedFlavour[];
let packedDir: string;
const started = Date.now();

beforeAll(() => {
  const ping = spawnSync('npm', ['ping'], { encoding: 'utf8', timeout: 60000 });
  if (ping.status !== 0)
    throw new Error(
      `the consumer matrix installs packages from the npm registry, which did not answer \`npm ping\`:\n${ping.stdout}${ping.stderr}${ping.error?.message ?? ''}`,
    );
  if (!existsSync(join(ROOT, 'build', 'handlers', 'replicate', 'index.js')))
    throw new Error('run `npm run build` before the consumer matrix (build/handlers is missing)');
  packedDir = mkdtempSync(join(tmpdir(), 'matrix-packages-'));
  packed = packFlavours(packedDir);
}, 120000);

afterAll(() => {
  const total = (Date.now() - started) / 1000;
  const lines = [...consumers.values()].map(
    (c) =>
      `${c.row.id}: ${Object.entries(c.seconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}`,
  );
  console.log(
    `consumer matrix: ${total.toFixed(0)} s wall\n${lines.join('\n')}\n${packed?.map((p) => `${p.name}: ${p.size} bytes packed, ${p.unpackedSize} unpacked`).join('\n')}`,
  );
  if (!process.env.KEEP_MATRIX)
    for (const dir of [packedDir, ...[...consumers.values()].map((c) => c.dir)]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(ROWS)('consumer $id: $flavour + $framework.0 $framework.1 + $binding.0 $binding.1', (row) => {
  let c: Consumer;

  beforeAll(() => {
    // Outside the repository, so nothing resolves from its node_modules by accident.
    const dir = mkdtempSync(join(tmpdir(), `consumer-${row.id}-`));
    c = { row, dir, binding: new BindingSchema(join(dir, 'node_modules', ...row.binding[0].split('/'))), seconds: {} };
    consumers.set(row.id, c);
    writeConsumer(row, dir, packed.find((p) => p.name === row.flavour)!.tarball);
    timed(c, 'install', () => sh(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']));
  }, 600000);

  test("GIVEN the row's Node.js WHEN the consumer runs node THEN it is that version (synth, checks and bins below run on it)", () => {
    expect(sh(c.dir, 'node', ['--version']).trim()).toBe(`v${row.node}`);
  });

  test('GIVEN the installed consumer WHEN its production tree is listed THEN the package brought only esbuild, and no Lambda-only package is there', () => {
    const tree = JSON.parse(sh(c.dir, 'npm', ['ls', '--omit=dev', '--all', '--json']));
    const names = new Set<string>();
    const walk = (deps: Record<string, any> = {}) => {
      for (const [name, info] of Object.entries(deps)) {
        names.add(name);
        walk(info.dependencies);
      }
    };
    walk(tree.dependencies);
    expect([...names].filter((n) => LAMBDA_ONLY.test(n))).toEqual([]);
    expect(Object.keys(tree.dependencies[row.flavour].dependencies ?? {}).filter((n) => !tree.dependencies[n])).toEqual(['esbuild']);
    expect(tree.dependencies[row.flavour].version).toBe(REPO.version);
  });

  test('GIVEN the consumer app WHEN type-checked strictly (declaration files included; node16 resolution too in the last row) THEN it compiles', () => {
    timed(c, 'typecheck', () => {
      // The export maps are the same in every row; node16 resolution is checked once, on the newest stack.
      if (row === ROWS[ROWS.length - 1]) sh(c.dir, join('node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.node16.json']);
      sh(c.dir, join('node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
    });
  });

  test('GIVEN the compiled app WHEN it synthesizes THEN the orders pipeline, its module, the replicated table and every other construct are written', () => {
    timed(c, 'synth', () => sh(c.dir, 'node', ['out/main.js']));
    expect(readdirSync(join(c.dir, 'cdktf.out', 'stacks')).sort()).toEqual(STACKS);
    const orders = stackJson(c, 'orders');
    expect(Object.keys(orders.resource.aws_lambda_event_source_mapping)).toHaveLength(1);
    // orders, order stats, and the consumer's idempotency table
    expect(Object.keys(orders.resource.aws_dynamodb_table)).toHaveLength(3);
    const every = stackJson(c, 'every-construct');
    for (const type of [
      'aws_lambda_provisioned_concurrency_config',
      'aws_sqs_queue_redrive_policy',
      'aws_sns_topic',
      'aws_kms_key_policy',
      'aws_iam_role',
    ])
      expect(every.resource[type]).toBeDefined();
    expect(stackJson(c, 'orders-module').terraform.required_providers.aws.version).toBe('>= 5.100.0, < 7.0.0');
  });

  test('GIVEN a strongly consistent global table WHEN synthesized THEN a 6.x binding emits STRONG replicas and the witness, and the 5.100 binding refuses it naming the versions', () => {
    const refused = join(c.dir, 'mrsc-refused.json');
    if (row.binding[1] === '20.1.0') {
      expect(existsSync(join(c.dir, 'cdktf.out.mrsc', 'stacks', 'mrsc', 'cdk.tf.json'))).toBe(false);
      expect(JSON.parse(readFileSync(refused, 'utf8'))).toEqual([
        'mrsc/Ledger: globalTableConsistency must be used with a provider binding of hashicorp/aws >= 6.3.0 (such as @cdktf/provider-aws 21.x or @cdktn/provider-aws 25.x) ' +
          '(the installed binding was generated from hashicorp/aws 5.100.0, which has no replica.consistency_mode; upgrade the binding, or keep globalTableConsistency \'eventual\') (got "strong")',
      ]);
      return;
    }
    expect(existsSync(refused)).toBe(false);
    const tf = JSON.parse(readFileSync(join(c.dir, 'cdktf.out.mrsc', 'stacks', 'mrsc', 'cdk.tf.json'), 'utf8'));
    const tables = Object.values<any>(tf.resource.aws_dynamodb_table);
    const strong = (region: string) => ({
      region_name: region,
      consistency_mode: 'STRONG',
      point_in_time_recovery: true,
      propagate_tags: true,
    });
    const shape = (t: any) => ({ name: t.name, provider: t.provider, replica: t.replica, witness: t.global_table_witness, ttl: t.ttl });
    expect(tables.map(shape).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        name: 'accounts',
        provider: 'aws.us_east_1',
        replica: [strong('us-east-2')],
        witness: { region_name: 'us-west-2' },
        ttl: undefined,
      },
      {
        name: 'ledger',
        provider: 'aws.us_east_1',
        replica: [strong('us-east-2'), strong('us-west-2')],
        witness: undefined,
        ttl: undefined,
      },
    ]);
    // MRSC publishes no ReplicationLatency and has no writers: nothing to alarm on or graph.
    expect(Object.keys(tf.resource).sort()).toEqual(['aws_dynamodb_table']);
    expect(unknownAttributes(tf, c.binding)).toEqual([]);
  });

  test('GIVEN the installed package WHEN its write helper, error class and consumer toolkit are used outside a synth THEN they work across the package boundary', () => {
    const out = JSON.parse(sh(c.dir, 'node', ['out/checks.js']));
    expect(out.put.Item).toEqual({ pk: { S: 'c-1' }, _v: { S: expect.stringMatching(/^\d{13}#eu-west-1#\w+$/) }, _o: { S: 'eu-west-1' } });
    expect(out.validation).toEqual({
      instanceOfValidationError: true,
      message: 'checks/Bad: tableName must be 3..255 characters of [a-zA-Z0-9_.-] (got "x")',
    });
    expect(out.constants).toEqual({
      MASKED_VALUE: '***',
      REPLICATION_METRICS_NAMESPACE: 'DynamoDBReplication',
      LOG_RETENTION_DAYS: expect.arrayContaining([1, 30, 3653]),
    });
    expect(out.toolkit).toEqual({ keys: { orderId: 'o-1' }, idLength: 43, precision: 'SECOND', newImage: 'ImageNotInViewError' });
  });

  test('GIVEN the installed bin WHEN the review diffs an empty base against the synth THEN it reports every resource as created', () => {
    const base = join(c.dir, 'empty.tf.json');
    writeFileSync(base, '{}');
    const resources = STACKS.map((s) =>
      Object.values<object>(stackJson(c, s).resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0),
    ).reduce((a, b) => a + b, 0);
    const review = sh(c.dir, 'npx', ['--no-install', `${row.flavour}-review`, 'diff', '--base', base, '--head', 'cdktf.out']);
    expect(review).toContain(`**${resources} to create, 0 to update, 0 to replace, 0 to destroy.**`);
  });

  test('GIVEN the installed backfill bin WHEN asked for help THEN it runs from the package with nothing else installed for it', () => {
    expect(sh(c.dir, 'npx', ['--no-install', `${row.flavour}-backfill`, '--help'])).toContain('--source-region <region>');
  });

  test("GIVEN the row's binding WHEN every synthesized argument, nested block and attribute reference is looked up in its schema THEN all exist", () => {
    expect(c.binding.providerVersion).toMatch(row.binding[1] === '20.1.0' ? /^5\.100\./ : /^6\./);
    for (const stack of STACKS)
      expect({ stack, unknown: unknownAttributes(stackJson(c, stack), c.binding) }).toEqual({ stack, unknown: [] });
  });

  // Rows whose provider binary cannot be installed here are checked against their binding's schema above.
  if (row.terraform)
    test('GIVEN the provider binary WHEN terraform init, validate and plan run on every stack THEN the plans create everything, and the module validates', () => {
      timed(c, 'terraform', () => {
        for (const stack of STACKS.filter((s) => s !== 'orders-module')) {
          const actions = terraformIn(join(c.dir, 'cdktf.out', 'stacks', stack)).initPlanActions();
          const resources = Object.entries<object>(stackJson(c, stack).resource).flatMap(([type, byName]) =>
            Object.keys(byName).map((name) => `${type}.${name}`),
          );
          expect({ stack, actions }).toEqual({ stack, actions: Object.fromEntries(resources.map((r) => [r, 'create'])) });
        }
        const module = terraformIn(join(c.dir, 'cdktf.out', 'stacks', 'orders-module'));
        module.run(['init', '-input=false', '-no-color']);
        expect(module.run(['validate', '-no-color'])).toContain('Success!');
      });
    });
});

describe('across the rows', () => {
  test('GIVEN every row WHEN the stacks are compared THEN resources, data sources, outputs and assets are identical, provider constraints aside', () => {
    const [first, ...others] = ROWS.map((r) => consumers.get(r.id)!);
    for (const other of others) {
      for (const stack of STACKS) {
        expect({ row: other.row.id, stack, tf: normalized(other, stack) }).toEqual({
          row: other.row.id,
          stack,
          tf: normalized(first, stack),
        });
        expect(assetFiles(join(other.dir, 'cdktf.out', 'stacks', stack))).toEqual(
          assetFiles(join(first.dir, 'cdktf.out', 'stacks', stack)),
        );
      }
    }
  });

  test("GIVEN each row's binding WHEN its hashicorp/aws version is compared with the module's range THEN the range admits it", () => {
    const admitted = (v: string) => {
      const [major, minor] = v.split('.').map(Number);
      return (major === 5 && minor >= 100) || major === 6;
    };
    const versions = ROWS.map((r) => consumers.get(r.id)!.binding.providerVersion);
    expect(versions.filter((v) => !admitted(v))).toEqual([]);
    expect(new Set(versions.map((v) => v.split('.')[0]))).toEqual(new Set(['5', '6']));
  });
});
