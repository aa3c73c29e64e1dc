/**
 * A frame's place and Node's "    at fn (file:line:col)" text, shared by capture,
 * the profiler and the reports; it knows only the data model's Frame.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Frame } from '../record/sample';

/** file:///a/b.js -> /a/b.js; absolute paths as they are; anything else undefined. */
export function filePath(url: string): string | undefined {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(url) ? url : undefined;
}

/** V8 names CommonJS scripts by path and ES modules by URL; the log always says URL. */
export function scriptUrl(nameOrUrl: string): string {
  return path.isAbsolute(nameOrUrl) ? pathToFileURL(nameOrUrl).href : nameOrUrl;
}

export function frameLocation(frame: Pick<Frame, 'url' | 'line' | 'column'>): string {
  const where = filePath(frame.url) ?? (frame.url || '<anonymous>');
  return `${where}:${frame.line}:${frame.column}`;
}

export function stackText(frames: Frame[], moreFrames = 0): string {
  const lines = frames.map((frame) =>
    frame.function ? `    at ${frame.function} (${frameLocation(frame)})` : `    at ${frameLocation(frame)}`,
  );
  if (moreFrames > 0) lines.push(`    ... ${moreFrames} more frames`);
  return lines.join('\n');
}
