/**
 * A progress line on stderr for reports that take a while: shown only on a
 * terminal, and only once a report has run for a second.
 */

const SHOW_AFTER_MS = 1000;
const REDRAW_MS = 200;

export interface ProgressTerminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private shown = false;

  constructor(
    private readonly terminal: ProgressTerminal,
    /** Size of the input in bytes, when it is a file. */
    private readonly totalBytes: number | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(bytesRead: number, samples: number): void {
    if (!this.terminal.isTTY) return;
    const now = this.now();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.shown = true;
    const share = this.totalBytes ? ` of ${megabytes(this.totalBytes)} (${Math.floor((100 * bytesRead) / this.totalBytes)}%)` : '';
    this.terminal.write(`\rtripod report: read ${megabytes(bytesRead)}${share}, ${samples.toLocaleString('en-US')} samples\u001b[K`);
  }

  /** Clears the line, so the report's own output starts clean. */
  done(): void {
    if (this.shown) this.terminal.write('\r\u001b[K');
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(bytes < 10_485_760 ? 1 : 0)} MB`;
}
