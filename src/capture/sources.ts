/**
 * Source text for frames, read in the sampler's own thread from disk so the
 * target pays nothing for it. A bounded cache keeps recently seen files. Only
 * regular files are read (regular-file.ts), and credentials written in a line
 * (`Bearer …`, a URL's password) are hidden as they are in values.
 */
import { filePath } from '../frames/frame-text';
import { redactCredentials } from './redact';
import { readRegularFile } from '../frames/regular-file';

const MAX_FILES = 200;
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export class SourceCache {
  private readonly files = new Map<string, string[] | null>();

  /** The 1-based line's text, trimmed, its credentials hidden, and cut to `max` characters. */
  line(url: string, line: number, max: number): string | undefined {
    const raw = this.lines(url)?.[line - 1]?.trim();
    if (raw === undefined) return undefined;
    const text = redactCredentials(raw);
    return text.length <= max ? text : `${text.slice(0, max)}…`;
  }

  /** Up to `length` characters of source from a 1-based line and column on. */
  textAt(url: string, line: number, column: number, length: number): string | undefined {
    const lines = this.lines(url);
    if (!lines || line < 1 || line > lines.length) return undefined;
    let text = lines[line - 1].slice(column - 1);
    for (let i = line; i < lines.length && text.length < length; i++) text += `\n${lines[i]}`;
    return text.slice(0, length);
  }

  private lines(url: string): string[] | undefined {
    const file = filePath(url);
    if (!file) return undefined;
    if (!this.files.has(file)) this.remember(file, readLines(file));
    return this.files.get(file) ?? undefined;
  }

  private remember(file: string, lines: string[] | null): void {
    if (this.files.size >= MAX_FILES) this.files.delete(this.files.keys().next().value as string);
    this.files.set(file, lines);
  }
}

function readLines(file: string): string[] | null {
  return readRegularFile(file, MAX_FILE_BYTES)?.split(/\r?\n/) ?? null;
}
