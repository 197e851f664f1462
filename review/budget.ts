/**
 * Keeps a review inside one GitHub comment. GitHub refuses a comment body over 65,536 characters
 * (the whole post fails, so the reviewer sees nothing); the review fills the room in order of
 * importance and counts what it had to leave out, so the reader is told.
 */

/** GitHub's limit for an issue or pull request comment body. */
export const GITHUB_COMMENT_LIMIT = 65536;

/**
 * Size as counted against the limit: UTF-8 bytes, never fewer than the characters or UTF-16
 * units any counter sees, so a body within it is within GitHub's limit however GitHub counts.
 */
export function commentSize(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Room left in a comment; `take` only accepts text that still fits. */
export class Budget {
  private used = 0;

  /** `limit` 0 or Infinity: no limit. */
  constructor(private readonly limit: number) {}

  get left(): number {
    return (this.limit > 0 ? this.limit : Infinity) - this.used;
  }

  /** Counts `text` (plus its newline) against the room; false, and nothing counted, when it does not fit. */
  take(text: string): boolean {
    const size = commentSize(text) + 1;
    if (size > this.left) return false;
    this.used += size;
    return true;
  }

  /** Counts all `lines` when all of them fit; else none. */
  takeAll(lines: string[]): boolean {
    const size = lines.reduce((n, l) => n + commentSize(l) + 1, 0);
    if (size > this.left) return false;
    this.used += size;
    return true;
  }

  /** Gives back room set aside with `reserve`. */
  release(size: number): void {
    this.used -= size;
  }

  /** Counts `size` characters set aside for text written later (the cut notice). */
  reserve(size: number): boolean {
    if (size > this.left) return false;
    this.used += size;
    return true;
  }
}
