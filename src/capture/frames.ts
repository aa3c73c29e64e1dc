/**
 * Which frames a person wants to see, and Node's "    at fn (file:line:col)" text.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Frame } from '../sample/types';

/** tripod's own code: dist/ (compiled) and bin/ of this package. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const OWN_DIRS = [path.join(PACKAGE_ROOT, 'dist') + path.sep, path.join(PACKAGE_ROOT, 'bin') + path.sep];

export function isTripodFrame(url: string): boolean {
  const file = filePath(url);
  return file !== undefined && OWN_DIRS.some((dir) => file.startsWith(dir));
}

function isNodeInternal(url: string): boolean {
  return url.startsWith('node:internal/');
}

/**
 * Drops tripod's own frames, then the bottom run of node:internal frames (the
 * loader, the timers list) — unless that would leave nothing to show.
 */
export function visibleFrames<T extends { url: string }>(frames: T[]): T[] {
  const theirs = frames.filter((frame) => !isTripodFrame(frame.url));
  let end = theirs.length;
  while (end > 0 && isNodeInternal(theirs[end - 1].url)) end--;
  return end === 0 ? theirs : theirs.slice(0, end);
}

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
