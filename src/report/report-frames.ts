/**
 * The distinct frames of a report, each stored once however many stacks hold
 * it. Frames come from profile records (already at their original source when a
 * source map said so at capture) and from sample and stall records (moved to
 * their original source here, once per distinct frame).
 */
import { pathToFileURL } from 'node:url';
import { filePath, frameLocation } from '../frames/frame-text';
import type { SourceMaps } from '../frames/source-maps';
import type { ProfileFrame } from '../record/records';
import type { Frame, SampleState } from '../record/sample';
import { plain } from './terminal-text';

const STATE_FRAMES: Record<SampleState, string> = { idle: '(idle)', blocked: '(blocked)', running: '(program)' };

export interface ReportFrame {
  name: string;
  /** file:// URL, node:… URL, or "" for V8's own nodes and native functions. */
  url: string;
  /** 1-based; 0 when unknown. */
  line: number;
  column: number;
  /** Where the frame is in generated code, when a source map moved it. */
  generated?: string;
  /** A root frame that names a process or thread (report --by), not code. */
  group?: true;
}

export class ReportFrames {
  private readonly ids = new Map<string, number>();
  readonly frames: ReportFrame[] = [];

  constructor(private readonly sourceMaps: SourceMaps) {}

  fromProfile([name, location, generated]: ProfileFrame): number {
    return this.intern(`${name}\u0000${location}\u0000${generated ?? ''}`, () => ({ name, ...parseLocation(location), ...(generated ? { generated } : {}) }));
  }

  fromSample(frame: Pick<Frame, 'function' | 'url' | 'line' | 'column'>): number {
    return this.intern(`${frame.function}\u0000${frame.url}:${frame.line}:${frame.column}`, () => {
      const original = frame.url ? this.sourceMaps.original(frame.url, frame.line, frame.column) : undefined;
      if (!original) return { name: frame.function, url: frame.url, line: frame.line, column: frame.column };
      return { name: frame.function, ...original, generated: frameLocation(frame) };
    });
  }

  /**
   * The frame a sample with no JS frame is charged to: "(idle)" as V8's profiler names a thread waiting in
   * its event loop, "(blocked)" for a native call whose JS caller was not seen, "(program)" (V8's name for
   * native code outside JS) for a running thread with no frame of the program's on its stack.
   */
  forState(state: SampleState): number {
    return this.fromProfile([STATE_FRAMES[state], '']);
  }

  /** The root frame of a process or thread, "process 4312 (node build.js)", for report --by. */
  forGroup(label: string): number {
    return this.intern(`\u0001${label}`, () => ({ name: label, url: '', line: 0, column: 0, group: true }));
  }

  /** The stack as it is, or, when it holds no JS frame, the one frame named for its state. */
  stackOrState(stack: number[], state: SampleState): number[] {
    return stack.length > 0 ? stack : [this.forState(state)];
  }

  private intern(key: string, make: () => ReportFrame): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.frames.push(make()) - 1;
      this.ids.set(key, id);
    }
    return id;
  }
}

/** "/a/b.js:10:5" or "node:fs:3:1" -> URL, line, column; "" (V8's own and native frames) -> no script. */
function parseLocation(location: string): Pick<ReportFrame, 'url' | 'line' | 'column'> {
  const match = /^(.*):(\d+):(\d+)$/.exec(location);
  if (!match) return { url: location, line: 0, column: 0 };
  const [, where, line, column] = match;
  return { url: where.startsWith('/') ? pathToFileURL(where).href : where, line: Number(line), column: Number(column) };
}

/** "name (path:line)" as people read it; V8's own nodes by name alone, native functions marked; control characters escaped. */
export function frameLabel(frame: ReportFrame): string {
  const name = plain(frame.name || '(anonymous)');
  if (frame.group) return name;
  if (!frame.url) return /^\(.*\)$/.test(name) ? name : `${name} [native]`;
  return `${name} (${fileAndLine(frame)})`;
}

export function fileAndLine(frame: ReportFrame): string {
  return `${plain(filePath(frame.url) ?? frame.url)}:${frame.line}`;
}
