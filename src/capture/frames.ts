/**
 * Which frames a person wants to see: not tripod's own, nor the loader's bottom run.
 */
import * as path from 'node:path';
import { filePath } from '../frames/frame-text';


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
