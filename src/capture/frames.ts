/**
 * Which frames a person wants to see: not tripod's own, nor the loader's bottom run.
 */
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../package-layout';
import { filePath } from '../frames/frame-text';
import type { Frame } from '../record/sample';

/** tripod's own code: dist/ (compiled) and bin/ of this package. */
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

/**
 * The frames a person sees from the top of the probed stack, and how many there
 * are in all. A stack deeper than what the probe described is counted from its
 * total: hidden frames sit at the top (tripod's own) and the bottom (its launcher,
 * Node's loader), both of which the probe described.
 */
export function visibleStack(answer: { frames: Frame[]; tail: Frame[]; total: number }): { top: Frame[]; count: number } {
  const described = answer.frames.length + answer.tail.length;
  if (described >= answer.total) {
    const visible = visibleFrames([...answer.frames, ...answer.tail]);
    return { top: visible, count: visible.length };
  }
  const top = answer.frames.filter((frame) => !isTripodFrame(frame.url));
  const hiddenAtBottom = answer.tail.length - visibleFrames(answer.tail).length;
  return { top, count: answer.total - (answer.frames.length - top.length) - hiddenAtBottom };
}
