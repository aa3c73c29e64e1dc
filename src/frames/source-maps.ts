/**
 * Original source positions for frames of generated code (TypeScript output,
 * bundles), through the script's `sourceMappingURL` (a file next to it or a
 * data: URL) and @jridgewell/trace-mapping. Read from disk in the reader's own
 * thread, regular files only (regular-file.ts); a bounded cache keeps the maps
 * of recently seen scripts.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { filePath } from './frame-text';
import { readRegularFile } from './regular-file';

const MAX_MAPS = 100;
const MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface SourcePosition {
  /** The original source's URL (file:// for files on disk). */
  url: string;
  /** 1-based, as in Node's stack traces. */
  line: number;
  column: number;
}

export class SourceMaps {
  private readonly maps = new Map<string, TraceMap | null>();

  /** Where the 1-based `line`:`column` of the script at `url` was written, if a source map says. */
  original(url: string, line: number, column: number): SourcePosition | undefined {
    const map = this.mapFor(url);
    if (!map) return undefined;
    const needle = { line, column: Math.max(0, column - 1) };
    // A function's start is often just left of its first mapped segment: take the nearest on the line either side.
    const found = ([GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const)
      .map((bias) => originalPositionFor(map, { ...needle, bias }))
      .find((position) => position.source !== null && position.line !== null);
    if (!found || found.source === null || found.line === null) return undefined;
    return { url: found.source, line: found.line, column: (found.column ?? 0) + 1 };
  }

  private mapFor(url: string): TraceMap | null {
    const file = filePath(url);
    if (!file) return null;
    if (!this.maps.has(file)) this.remember(file, loadMap(file));
    return this.maps.get(file) ?? null;
  }

  private remember(file: string, map: TraceMap | null): void {
    if (this.maps.size >= MAX_MAPS) this.maps.delete(this.maps.keys().next().value as string);
    this.maps.set(file, map);
  }
}

function loadMap(file: string): TraceMap | null {
  try {
    const reference = mappingUrl(readSmallFile(file));
    if (!reference) return null;
    if (reference.startsWith('data:')) return new TraceMap(decodeDataUrl(reference), pathToFileURL(file).href);
    const mapUrl = new URL(reference, pathToFileURL(file));
    if (mapUrl.protocol !== 'file:') return null;
    return new TraceMap(readSmallFile(fileURLToPath(mapUrl)), mapUrl.href);
  } catch {
    // No map, an unreadable one, or one that does not parse: the generated position stands.
    return null;
  }
}

/** Only a regular file, at most MAX_FILE_BYTES: a frame or a sourceMappingURL naming /dev/zero or a FIFO reads as no map. */
function readSmallFile(file: string): string {
  const text = readRegularFile(file, MAX_FILE_BYTES);
  if (text === undefined) throw new Error(`${file} is not a regular file of at most ${MAX_FILE_BYTES} bytes`);
  return text;
}

/** The last `//# sourceMappingURL=` comment of a script, as the spec says. */
function mappingUrl(source: string): string | undefined {
  const match = /\/[/*][#@]\s*sourceMappingURL=([^\s*]+)[\s*/]*$/.exec(source.slice(Math.max(0, source.lastIndexOf('sourceMappingURL=') - 10)));
  return match?.[1];
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
}
