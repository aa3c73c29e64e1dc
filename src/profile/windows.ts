/**
 * Turns one V8 CPU profile (a call tree, the sampled node of each tick, and the
 * time between ticks) into the log's profile records: one per wall-clock second,
 * each a table of the distinct stacks seen in it, their states and counts.
 */
import type { Protocol } from 'devtools-protocol';
import { visibleFrames } from '../capture/frames';
import type { ProfileRecord } from '../record/records';
import type { SampleState } from '../record/sample';
import { PROBE_FUNCTION, PROBE_SCRIPT } from '../capture/probe';
import type { ProfileFrames } from './profile-frames';

type Profile = Protocol.Profiler.Profile;
type ProfileNode = Protocol.Profiler.ProfileNode;

export type ProfileWindow = Omit<ProfileRecord, 'event' | 'seq' | 'rateHz'>;

/** Records cover at most this much wall time, so --since/--until and grep work to the second. */
const WINDOW_MS = 1000;

const STATE_CODES: SampleState[] = ['running', 'idle', 'blocked'];
// Samples start as 0, running.
const IDLE = 1;
const BLOCKED = 2;

export interface WindowClock {
  /** V8's timestamps (microseconds of the monotonic clock) as epoch milliseconds. */
  epochMs(v8Micros: number): number;
  /** For each timestamp: whether the main thread was asleep in the kernel then (1) or not (0). */
  asleepAt(v8Micros: Float64Array): Uint8Array;
}

export function profileWindows(profile: Profile, clock: WindowClock, frames: ProfileFrames): ProfileWindow[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const micros = sampleMicros(profile, samples.length);
  const states = sampleStates(samples, nodes, clock.asleepAt(micros));
  const times = micros.map((t) => clock.epochMs(t));
  const stacks = new StackCache(nodes, frames);
  const windows = new Map<number, Map<number, number>>();
  samples.forEach((nodeId, i) => {
    const window = Math.floor(times[i] / WINDOW_MS);
    let counts = windows.get(window);
    if (!counts) windows.set(window, (counts = new Map()));
    // One key per (node, state): the same node can be running at one tick and blocked at another.
    const key = nodeId * 4 + states[i];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const bounds = windowBounds(samples.length, times);
  return [...windows].map(([window, counts]) => buildWindow(counts, bounds.get(window)!, stacks, frames));
}

function sampleMicros(profile: Profile, count: number): Float64Array {
  const micros = new Float64Array(count);
  let t = profile.startTime;
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < count; i++) micros[i] = t += deltas[i] ?? 0;
  return micros;
}

/** "(idle)" is V8's word for the event loop waiting; asleep anywhere else is a synchronous call that blocks. */
function sampleStates(samples: number[], nodes: Map<number, ProfileNode>, asleep: Uint8Array): Uint8Array {
  const states = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    if (nodes.get(samples[i])!.callFrame.functionName === '(idle)') states[i] = IDLE;
    else if (asleep[i]) states[i] = BLOCKED;
  }
  return states;
}

function windowBounds(count: number, times: Float64Array): Map<number, { from: number; to: number }> {
  const bounds = new Map<number, { from: number; to: number }>();
  for (let i = 0; i < count; i++) {
    const window = Math.floor(times[i] / WINDOW_MS);
    const b = bounds.get(window);
    if (b) b.to = times[i];
    else bounds.set(window, { from: times[i], to: times[i] });
  }
  return bounds;
}

function buildWindow(counts: Map<number, number>, bounds: { from: number; to: number }, stacks: StackCache, frames: ProfileFrames): ProfileWindow {
  const window: ProfileWindow = { from: round(bounds.from), to: round(bounds.to), samples: 0, frames: [], stacks: [], states: [], counts: [] };
  const localFrame = new Map<number, number>();
  const localStack = new Map<string, number>();
  for (const [key, count] of counts) {
    const state = STATE_CODES[key % 4];
    const stack = stacks.of(Math.floor(key / 4)).map((id) => {
      let local = localFrame.get(id);
      if (local === undefined) {
        local = window.frames.push(frames.frames[id]) - 1;
        localFrame.set(id, local);
      }
      return local;
    });
    const stackKey = `${state} ${stack.join(',')}`;
    const index = localStack.get(stackKey);
    if (index !== undefined) window.counts[index] += count;
    else {
      localStack.set(stackKey, window.stacks.push(stack) - 1);
      window.states.push(state);
      window.counts.push(count);
    }
    window.samples += count;
  }
  return window;
}

/** Where ticks in tripod's own code go, so that every tick has a frame and the totals add up. */
const TRIPOD_OWN_FRAME: Protocol.Runtime.CallFrame = { functionName: '(tripod)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };

/** Each node's stack (frame ids, top first, tripod's and the loader's frames hidden), worked out once. */
class StackCache {
  private readonly parents = new Map<number, number>();
  private readonly stacks = new Map<number, number[]>();

  constructor(
    private readonly nodes: Map<number, ProfileNode>,
    private readonly frames: ProfileFrames,
  ) {
    for (const node of nodes.values()) for (const child of node.children ?? []) this.parents.set(child, node.id);
  }

  of(nodeId: number): number[] {
    let stack = this.stacks.get(nodeId);
    if (!stack) {
      const callFrames: Protocol.Runtime.CallFrame[] = [];
      for (let id: number | undefined = nodeId; id !== undefined; id = this.parents.get(id)) {
        const callFrame = this.nodes.get(id)!.callFrame;
        if (callFrame.functionName !== '(root)') callFrames.push(callFrame);
      }
      const visible = visibleFrames(withoutProbe(callFrames));
      // Every frame was tripod's own (its exit hook, its heartbeat): the tick still counts, as tripod's.
      stack = (visible.length > 0 ? visible : [TRIPOD_OWN_FRAME]).map((callFrame) => this.frames.id(callFrame));
      this.stacks.set(nodeId, stack);
    }
    return stack;
  }
}

/**
 * A tick that caught tripod's stack probe (locals sampling alongside) belongs to
 * the code the probe interrupted: drop the probe, what it called, the holder's
 * method that called it and the function the inspector ran to call that.
 */
function withoutProbe(topFirst: Protocol.Runtime.CallFrame[]): Protocol.Runtime.CallFrame[] {
  const probe = topFirst.findIndex((frame) => frame.functionName === PROBE_FUNCTION && frame.url === PROBE_SCRIPT);
  if (probe < 0) return topFirst;
  let below = probe + 1;
  // The holder's method: tripod's file in the runner, an evaluated script ('') where tripod installed it by attaching.
  if (topFirst[below]?.functionName === 'probe') below++;
  if (topFirst[below] && topFirst[below].url === '' && topFirst[below].functionName === '') below++;
  return topFirst.slice(below);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
