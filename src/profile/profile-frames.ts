/**
 * The frames of V8 CPU profiles as the log writes them: each distinct call
 * frame once, named by `path:line:col` like Node's stack traces, and moved to its
 * original source when a source map says where that is (the generated position
 * is kept beside it). Lives as long as the recorder, so each function's source
 * map lookup is done once.
 */
import type { Protocol } from 'devtools-protocol';
import { frameLocation, scriptUrl } from '../frames/frame-text';
import type { SourceMaps } from '../frames/source-maps';
import type { ProfileFrame } from '../record/records';

type CallFrame = Protocol.Runtime.CallFrame;

export class ProfileFrames {
  private readonly ids = new Map<string, number>();
  readonly frames: ProfileFrame[] = [];

  constructor(private readonly sourceMaps: SourceMaps) {}

  /** A stable id for the frame; `frames[id]` is its log form. */
  id(callFrame: CallFrame): number {
    const key = `${callFrame.functionName}\u0000${callFrame.url}\u0000${callFrame.lineNumber}\u0000${callFrame.columnNumber}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.frames.push(this.describe(callFrame)) - 1;
      this.ids.set(key, id);
    }
    return id;
  }

  private describe({ functionName, url, lineNumber, columnNumber }: CallFrame): ProfileFrame {
    // V8's own nodes ("(idle)", "(program)", "(garbage collector)") and native functions have no script.
    if (!url) return [functionName, ''];
    const generated = { url: scriptUrl(url), line: lineNumber + 1, column: columnNumber + 1 };
    const original = this.sourceMaps.original(generated.url, generated.line, generated.column);
    return original ? [functionName, frameLocation(original), frameLocation(generated)] : [functionName, frameLocation(generated)];
  }
}
