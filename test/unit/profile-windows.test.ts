/**
 * Unit tests, in-process: a V8 CPU profile (written out here, as Profiler.stop answers) turned into the log's
 * per-second profile records: distinct stacks with their states and counts, tripod's probe frames dropped.
 */
import type { Protocol } from 'devtools-protocol';
import { describe, expect, it } from 'vitest';
import { SourceMaps } from '../../src/frames/source-maps';
import { PROBE_FUNCTION, PROBE_SCRIPT } from '../../src/capture/probe';
import { ProfileFrames } from '../../src/profile/profile-frames';
import { profileWindows, type WindowClock } from '../../src/profile/windows';

type Node = Protocol.Profiler.ProfileNode;

function node(id: number, functionName: string, url: string, line: number, children: number[] = []): Node {
  return { id, callFrame: { functionName, scriptId: String(id), url, lineNumber: line, columnNumber: 4 }, children };
}

// root -> main -> hot; root -> (idle); root -> main -> readSync; hot -> (tripod's probe holder) -> probe.
const NODES: Node[] = [
  node(1, '(root)', '', -1, [2, 4]),
  node(2, '', 'file:///app/main.js', 0, [3, 5]),
  node(3, 'hot', 'file:///app/main.js', 9, [6]),
  node(4, '(idle)', '', -1),
  node(5, 'readSync', 'node:fs', 740),
  node(6, '', '', -1, [7]),
  node(7, PROBE_FUNCTION, PROBE_SCRIPT, 0),
];

/** V8 micros as epoch ms: the profile starts at epoch 1,700,000,000,500 ms; `asleep` marks samples by index. */
function clockOf(asleep: number[] = []): WindowClock {
  return {
    epochMs: (micros) => 1_700_000_000_500 + micros / 1000,
    asleepAt: (micros) => Uint8Array.from(micros, (_, i) => (asleep.includes(i) ? 1 : 0)),
  };
}

function profile(samples: number[], deltaMicros: number): Protocol.Profiler.Profile {
  return { nodes: NODES, startTime: 0, endTime: samples.length * deltaMicros, samples, timeDeltas: samples.map(() => deltaMicros) };
}

/** A window's stacks as "state name<name<... xcount" lines. */
function table(window: ReturnType<typeof profileWindows>[number]): string[] {
  return window.stacks.map((stack, i) => `${window.states[i]} ${stack.map((f) => window.frames[f][0] || '(anonymous)').join('<')} x${window.counts[i]}`).sort();
}

describe('profileWindows', () => {
  it('cuts a profile at wall-clock seconds and counts each distinct stack and state once per second', () => {
    const frames = new ProfileFrames(new SourceMaps());
    // 8 samples 200 ms apart, at epoch ms ...0.700 to ...2.100: 2 in the first second, 5 in the next, 1 in the last.
    const windows = profileWindows(profile([3, 3, 4, 5, 3, 4, 4, 5], 200_000), clockOf([3, 7]), frames);
    expect(windows.map((w) => w.samples)).toEqual([2, 5, 1]);
    expect(table(windows[0])).toEqual(['running hot<(anonymous) x2']);
    // Asleep in the kernel outside (idle) is blocked; V8's (idle) is idle whatever /proc said.
    expect(table(windows[1])).toEqual(['blocked readSync<(anonymous) x1', 'idle (idle) x3', 'running hot<(anonymous) x1']);
    expect(table(windows[2])).toEqual(['blocked readSync<(anonymous) x1']);
    expect([windows[1].from, windows[1].to]).toEqual([1_700_000_001_100, 1_700_000_001_900]);
    // Frames are [function, path:line:col], 1-based.
    expect(windows[0].frames).toContainEqual(['hot', '/app/main.js:10:5']);
  });

  it("puts a tick that caught tripod's stack probe on the code the probe interrupted", () => {
    const windows = profileWindows(profile([7, 7, 3], 1000), clockOf(), new ProfileFrames(new SourceMaps()));
    expect(windows).toHaveLength(1);
    expect(table(windows[0])).toEqual(['running hot<(anonymous) x3']);
  });

  it('an empty profile makes no record', () => {
    expect(profileWindows(profile([], 1000), clockOf(), new ProfileFrames(new SourceMaps()))).toEqual([]);
  });
});
