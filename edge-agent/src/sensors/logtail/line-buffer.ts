/** What one call of {@link LineBuffer.take} produced. */
export interface TakenLines {
  /** Complete lines, without their `\n` (and without a `\r` before it); empty lines are dropped. */
  readonly lines: string[];
  /** Bytes of the file now handled (lines, their newlines, cut-off tails): the committed offset advances by this. */
  readonly consumed: number;
  /** Lines longer than the bound, handed on cut to the bound. */
  readonly truncated: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits bytes read from a file into complete lines. A partial last line stays in the buffer until its
 * newline arrives (it is not counted as consumed, so a restart re-reads it from the file). A line longer
 * than `maxLineBytes` is handed on cut to that bound and the rest up to its newline is skipped.
 *
 * One buffer is allocated for the tailer's life: reads go straight into {@link writable}.
 */
export class LineBuffer {
  private readonly buf: Buffer;
  private held = 0;
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    readChunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(maxLineBytes + readChunkBytes);
  }

  /** Bytes of a partial line held (read from the file but not yet consumed). */
  get pending(): number {
    return this.held;
  }

  /** Whether the rest of an over-long line is being skipped. */
  get skippingLongLine(): boolean {
    return this.skipping;
  }

  /** The buffer and the free region the next read may fill. */
  writable(): { buffer: Buffer; offset: number; length: number } {
    return { buffer: this.buf, offset: this.held, length: this.buf.length - this.held };
  }

  /** Takes the complete lines after `n` more bytes were read into {@link writable}. */
  take(n: number): TakenLines {
    const end = this.held + n;
    const view = this.buf.subarray(0, end);
    const lines: string[] = [];
    let truncated = 0;
    let consumed = 0;
    let start = 0;
    let nl = view.indexOf(NEWLINE, this.held);
    while (nl !== -1) {
      if (this.skipping) {
        this.skipping = false;
      } else {
        let lineEnd = nl;
        if (lineEnd > start && view[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
        if (lineEnd - start > this.maxLineBytes) {
          lines.push(view.toString('utf8', start, start + this.maxLineBytes));
          truncated++;
        } else if (lineEnd > start) {
          lines.push(view.toString('utf8', start, lineEnd));
        }
      }
      consumed += nl + 1 - start;
      start = nl + 1;
      nl = view.indexOf(NEWLINE, start);
    }
    let rest = end - start;
    if (this.skipping) {
      consumed += rest;
      rest = 0;
    } else if (rest > this.maxLineBytes) {
      lines.push(view.toString('utf8', start, start + this.maxLineBytes));
      truncated++;
      this.skipping = true;
      consumed += rest;
      rest = 0;
    }
    if (rest > 0 && start > 0) this.buf.copy(this.buf, 0, start, end);
    this.held = rest;
    return { lines, consumed, truncated };
  }

  /**
   * Hands on the partial last line as a line (used when a rotated file is finished: its last line will
   * never get a newline). Returns undefined when nothing is held.
   */
  takePartial(): { line: string; consumed: number } | undefined {
    if (this.held === 0 || this.skipping) return undefined;
    const consumed = this.held;
    const line = this.buf.toString('utf8', 0, consumed);
    this.held = 0;
    return { line, consumed };
  }

  /** Forgets what is held (the file was truncated or replaced, or handing on failed and will be retried). */
  reset(skipping = false): void {
    this.held = 0;
    this.skipping = skipping;
  }
}
