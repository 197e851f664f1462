/**
 * One reader of a region's DynamoDB stream shared by everyone who follows it in a property test
 * (the oracle, the stepped mapping or the Kinesis bridge): each side gets every record once,
 * whichever side's read fetched it. Two readers of one stream would read every record twice;
 * the histories read after every write, so that was a third of a history's requests.
 */
import type { DynamoDBRecord } from 'aws-lambda';

export interface TeeSide {
  /** Reads the stream now, and returns every record this side was not given yet. */
  readNew(): Promise<DynamoDBRecord[]>;
  /** The records other sides' reads fetched that this side was not given yet (no request). */
  taken(): DynamoDBRecord[];
}

export class StreamTee {
  private readonly buffers: DynamoDBRecord[][] = [];

  constructor(private readonly source: { readNew(): Promise<DynamoDBRecord[]> }) {}

  /**
   * A new follower, given the records read from now on. `copies`: it gets its own copy of each
   * record, so that what a handler does to an event cannot change what the oracle saw.
   */
  side(copies = false): TeeSide {
    const buffer: DynamoDBRecord[] = [];
    this.buffers.push(buffer);
    const give = () => {
      const out = buffer.splice(0);
      return copies ? structuredClone(out) : out;
    };
    return {
      readNew: async () => {
        const fresh = await this.source.readNew();
        for (const b of this.buffers) b.push(...fresh);
        return give();
      },
      taken: give,
    };
  }
}
