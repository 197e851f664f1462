/**
 * The DynamoDB Local databases of a local run, with one region that can be taken away and brought
 * back (`npm run local -- --outage <region>:<seconds>`). Without an outage every region lives in
 * one in-memory DynamoDB Local, as before. With one, the outage region gets a process of its own
 * that keeps its data in a folder (-dbPath), and a router (region-router.ts) gives every region
 * the one endpoint all clients use. Taking the region away cuts every request signed for it and
 * kills its process (SIGKILL, as a crash); the process is started again at once on the same port
 * and the same folder, and the region is let through again when the outage's time is up (or once
 * the restart listens, if that takes longer): it comes back with every table, item, stream record
 * and backlog entry it held, as a region does after an outage.
 */
import { mkdirSync } from 'fs';
import { join } from 'path';
import { DynamoDbLocal, startDynamoDbLocal } from '../dynamodb-local';
import { RegionRouter, startRegionRouter } from './region-router';

export interface OutageSpec {
  readonly region: string;
  readonly seconds: number;
}

/** `<region>:<seconds>`, e.g. us-east-1:20; `regions` are the stack's. */
export function parseOutage(text: string, regions?: readonly string[]): OutageSpec {
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d+):(\d+(?:\.\d+)?)$/.exec(text);
  if (!m || Number(m[2]) <= 0)
    throw new Error(`--outage must be <region>:<seconds> with seconds > 0, e.g. us-east-1:20 (got ${JSON.stringify(text)})`);
  if (regions && !regions.includes(m[1]))
    throw new Error(`--outage names ${m[1]}, which the stack does not deploy to; its regions are ${regions.join(', ')}`);
  return { region: m[1], seconds: Number(m[2]) };
}

export interface LocalDatabases {
  /** The endpoint every client uses, for every region. */
  readonly endpoint: string;
  readonly outage?: RegionOutage;
  stop(): Promise<void>;
}

export async function startLocalDatabases(options: { readonly outage?: OutageSpec; readonly dataDir: string }): Promise<LocalDatabases> {
  if (!options.outage) {
    const db = await startDynamoDbLocal({ sharedDb: false });
    return { endpoint: db.endpoint, stop: () => db.stop() };
  }
  const { region } = options.outage;
  const dbPath = join(options.dataDir, region);
  mkdirSync(dbPath, { recursive: true });
  const started = await Promise.allSettled([startDynamoDbLocal({ sharedDb: false }), startDynamoDbLocal({ sharedDb: false, dbPath })]);
  const [shared, own] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!shared || !own) {
    await Promise.all([shared?.stop(), own?.stop()]);
    throw failed?.reason;
  }
  const router = await startRegionRouter(shared.port, { [region]: own.port }).catch(async (e) => {
    await Promise.all([shared.stop(), own.stop()]);
    throw e;
  });
  const outage = new RegionOutage(options.outage, router, own, dbPath);
  return {
    endpoint: router.endpoint,
    outage,
    stop: async () => {
      await router.stop();
      await Promise.all([shared.stop(), outage.stop()]);
    },
  };
}

export class RegionOutage {
  /** Epoch ms the region was cut, and let through again. */
  downAt?: number;
  upAt?: number;
  private restarting?: Promise<DynamoDbLocal>;

  constructor(
    readonly spec: OutageSpec,
    private readonly router: RegionRouter,
    private instance: DynamoDbLocal,
    private readonly dbPath: string,
  ) {}

  get region(): string {
    return this.spec.region;
  }

  /** Requests cut while the region was down. */
  get requestsCut(): number {
    return this.router.cut[this.region] ?? 0;
  }

  /** Cuts the region and kills its process; its restart begins at once. */
  async takeDown(): Promise<void> {
    await this.router.down(this.region);
    this.downAt = Date.now();
    await this.instance.crash();
    this.restarting = startDynamoDbLocal({ sharedDb: false, dbPath: this.dbPath, port: this.instance.port });
    // Surfaced by bringBack(); an unobserved rejection must not end the run first.
    this.restarting.catch(() => undefined);
  }

  /** Waits until the outage's time is up and the restarted process listens, then lets the region through. */
  async bringBack(): Promise<void> {
    if (!this.restarting || this.downAt === undefined) throw new Error(`${this.region} was not taken down`);
    const left = this.downAt + this.spec.seconds * 1000 - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    this.instance = await this.restarting;
    await this.router.up(this.region);
    this.upAt = Date.now();
  }

  async stop(): Promise<void> {
    const restarted = await this.restarting?.catch(() => undefined);
    await Promise.all([this.instance.stop(), restarted?.stop()]);
  }
}
