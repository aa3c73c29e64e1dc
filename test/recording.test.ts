/**
 * The recording core in-process: the fan-out sink, and one Recording's numbering,
 * joining and leaving over real inspector sessions of real Node processes (their
 * main threads stand in for a recording's threads). The process-level tests cover
 * the runner and `tripod record` on top of it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdpConnection } from '../src/capture/cdp-connection';
import { openWebSocket } from '../src/attach/websocket-transport';
import type { CrashRecord, DumpRecord, EndRecord, ProfileRecord, SampleRecord, SlowEndRecord, SlowRecord, StallEndRecord, StallRecord, StartRecord, TripodRecord } from '../src/record/records';
import type { Fields, RecordSink } from '../src/record/sink';
import { type RecordedThread, remoteCapturer } from '../src/recording/capturers';
import { dumpRecord, startHeader } from '../src/log/header';
import { FanOutSink } from '../src/recording/fan-out';
import { Recording, type RecordingOptions } from '../src/recording/recording';

/** Keeps every record it is given, with its kind, in order. */
class KeptRecords implements RecordSink {
  readonly records: TripodRecord[] = [];
  start = (record: Fields<StartRecord>) => void this.records.push({ event: 'start', ...record });
  sample = (record: Fields<SampleRecord>) => void this.records.push({ event: 'sample', ...record } as SampleRecord);
  stall = (record: Fields<StallRecord>) => void this.records.push({ event: 'stall', ...record } as StallRecord);
  stallEnd = (record: Fields<StallEndRecord>) => void this.records.push({ event: 'stall-end', ...record });
  crash = (record: Fields<CrashRecord>) => void this.records.push({ event: 'crash', ...record });
  profile = (record: Fields<ProfileRecord>) => void this.records.push({ event: 'profile', ...record });
  end = (record: Fields<EndRecord>) => void this.records.push({ event: 'end', ...record });
  dump = (record: Fields<DumpRecord>) => void this.records.push({ event: 'dump', ...record });
  slow = (record: Fields<SlowRecord>) => void this.records.push({ event: 'slow', ...record } as SlowRecord);
  slowEnd = (record: Fields<SlowEndRecord>) => void this.records.push({ event: 'slow-end', ...record });

  of<E extends TripodRecord['event']>(event: E): Extract<TripodRecord, { event: E }>[] {
    return this.records.filter((record): record is Extract<TripodRecord, { event: E }> => record.event === event);
  }
}

/** A sink whose disk is full: every write throws. */
class FailingSink extends KeptRecords {
  override sample = (): void => {
    throw new Error('ENOSPC');
  };
}

const LIMITS = { depth: 1, maxElements: 5, maxString: 50, maxFrames: 20, locals: false, redactKeys: ['password'] };

describe('FanOutSink', () => {
  it('hands every record, of every kind, to each sink in order', () => {
    const [a, b] = [new KeptRecords(), new KeptRecords()];
    const fan = new FanOutSink([a, b]);
    fan.start({ format: 1, tripod: 't', node: 'v', script: 's', argv: [], interval: 1, timeoutMs: 5, limits: LIMITS });
    fan.sample({ seq: 1, capturedAt: 1, state: 'idle', stoppedMs: 0, captureMs: 0, frames: [], stack: '' });
    fan.stall({ stallId: 1, repeat: 0, stalledMs: 9, capturedAt: 2, state: 'blocked', stoppedMs: 0, captureMs: 0, frames: [], stack: '' });
    fan.stallEnd({ stallId: 1, durationMs: 20, captures: 1 });
    fan.crash({ origin: 'exception', error: { name: 'Error', message: 'm' }, frames: [], stack: '' });
    fan.profile({ seq: 1, from: 1, to: 2, rateHz: 100, samples: 1, frames: [], stacks: [[]], states: ['idle'], counts: [1] });
    fan.end({ samples: 1 });
    fan.dump({ format: 1, tripod: 't', script: 's', argv: [], attached: { pid: 1, via: 'inspector' }, timeoutMs: 5, limits: LIMITS, threads: [] });
    const kinds = ['start', 'sample', 'stall', 'stall-end', 'crash', 'profile', 'end', 'dump'];
    expect(a.records.map((record) => record.event)).toEqual(kinds);
    expect(b.records).toEqual(a.records);
  });

  it('still feeds the other sinks when one throws, then throws its error', () => {
    const [before, after] = [new KeptRecords(), new KeptRecords()];
    const fan = new FanOutSink([before, new FailingSink(), after]);
    expect(() => fan.sample({ seq: 1, capturedAt: 1, state: 'idle', stoppedMs: 0, captureMs: 0, frames: [], stack: '' })).toThrow('ENOSPC');
    expect(before.of('sample')).toHaveLength(1);
    expect(after.of('sample')).toHaveLength(1);
  });
});

describe('the log header', () => {
  // Options carry more than the log says (a parsed config grows fields): only the header's own fields are written.
  const grown = { ...LIMITS, colour: 'red' };
  const target = { tripod: '1.0.0', script: '/s.js', argv: ['node', '/s.js'] };

  it('copies the start record\'s fields by name and gives the format\'s seconds from ms', () => {
    const header = startHeader({
      ...target,
      intervalMs: 250,
      timeoutMs: 1000,
      localsBudget: 0.02,
      limits: grown,
      watchdog: { thresholdMs: 50, repeatMs: 10, periodMs: 5 } as { thresholdMs: number; repeatMs: number },
      crash: { rejections: true, extra: 1 } as { rejections: boolean },
      profile: { rateHz: 200, flushMs: 3 } as { rateHz: number },
      attached: { pid: 7, via: 'agent', durationMs: 2500 },
    });
    expect(header).toEqual({
      format: 1,
      ...target,
      node: 'unknown',
      interval: 0.25,
      timeoutMs: 1000,
      localsBudget: 0.02,
      limits: LIMITS,
      watchdog: { thresholdMs: 50, repeatMs: 10 },
      crash: { rejections: true },
      profile: { rateHz: 200 },
      attached: { pid: 7, via: 'agent', duration: 2.5 },
    });
    expect(Object.keys(header)).toEqual(['format', 'tripod', 'node', 'script', 'argv', 'interval', 'timeoutMs', 'localsBudget', 'limits', 'watchdog', 'crash', 'profile', 'attached']);
  });

  it('writes a dump record with only its own fields, and says when the workers are unknown', () => {
    const header = { ...target, node: 'v22.0.0', attached: { pid: 7, via: 'inspector' as const }, timeoutMs: 500, limits: grown };
    expect(dumpRecord(header, [], true)).toEqual({ format: 1, ...target, node: 'v22.0.0', attached: { pid: 7, via: 'inspector' }, timeoutMs: 500, limits: LIMITS, threads: [] });
    expect(dumpRecord({ ...header, node: undefined }, [], false)).toEqual({ format: 1, ...target, attached: { pid: 7, via: 'inspector' }, timeoutMs: 500, limits: LIMITS, threads: [], workersUnknown: true });
  });
});

/** A Node process whose main thread runs a named function every few ms, reached through its open inspector. */
interface Inspected {
  child: ChildProcess;
  client: CdpConnection;
}

const BUSY = 'function busyHere() { const until = Date.now() + 8; while (Date.now() < until); } setInterval(busyHere, 10);';

async function inspected(): Promise<Inspected> {
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', BUSY], { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
      const match = /Debugger listening on (ws:\/\/\S+)/.exec(err);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`target exited: ${err}`)));
  });
  return { child, client: new CdpConnection(await openWebSocket(url, 5000)) };
}

describe('Recording', () => {
  let first: Inspected;
  let second: Inspected;
  beforeAll(async () => {
    [first, second] = await Promise.all([inspected(), inspected()]);
  });
  afterAll(() => {
    for (const target of [first, second]) {
      target?.client.close();
      target?.child.kill();
    }
  });

  const options: RecordingOptions = { intervalMs: 20, timeoutMs: 2000, limits: LIMITS, localsBudget: 0.01 };
  const main = (): RecordedThread => ({ threadId: 0, name: 'main', isMain: true, client: first.client });
  const worker = (): RecordedThread => ({ threadId: 3, name: 'hasher', url: 'file:///w.js', isMain: false, client: second.client });
  const until = (condition: () => boolean) => expect.poll(condition, { timeout: 5000, interval: 10 }).toBe(true);

  it('writes the start header from its options in ms, numbers every thread\'s samples in one sequence, and counts them in the end', async () => {
    const kept = new KeptRecords();
    const recording = new Recording(kept, options);
    recording.start({ tripod: '9.9.9', node: 'v0', script: '/s.js', argv: ['node', '/s.js'], watchdog: { thresholdMs: 50, repeatMs: 0 }, attached: { pid: 42, via: 'signal', durationMs: 1500 } });
    const threadOne = main();
    const threadTwo = worker();
    recording.join(threadOne, remoteCapturer(threadOne, first.child.pid!, options));
    recording.join(threadTwo, remoteCapturer(threadTwo, second.child.pid!, options));
    await until(() => kept.of('sample').filter((s) => s.threadId === 3).length >= 2 && kept.of('sample').filter((s) => s.threadId === undefined).length >= 2);
    await recording.stopSampling();
    recording.end({ exitCode: 0 }, { detached: 'duration' });

    const [start] = kept.of('start');
    expect(start).toMatchObject({ format: 1, tripod: '9.9.9', interval: 0.02, timeoutMs: 2000, localsBudget: 0.01, watchdog: { thresholdMs: 50, repeatMs: 0 } });
    expect(start.attached).toEqual({ pid: 42, via: 'signal', duration: 1.5 });
    expect(start.limits).toEqual(LIMITS);
    const samples = kept.of('sample');
    expect(samples.map((sample) => sample.seq)).toEqual(samples.map((_, i) => i + 1));
    // The main thread's samples carry no thread tag; another thread's do.
    const tagged = samples.filter((sample) => sample.threadId !== undefined);
    expect(tagged.every((sample) => sample.threadName === 'hasher' && sample.threadUrl === 'file:///w.js')).toBe(true);
    expect(samples.some((sample) => sample.stack.includes('busyHere'))).toBe(true);
    expect(kept.records.at(-1)).toEqual({ event: 'end', exitCode: 0, samples: samples.length, detached: 'duration' });
    expect(recording.samples).toBe(samples.length);
  });

  it('lets a thread join later and leave early, and drops the captures its hook refuses', async () => {
    const kept = new KeptRecords();
    let refused = 0;
    const recording = new Recording(kept, options, {
      admit(thread, sample) {
        if (thread.isMain && refused < 2) return void refused++;
        return sample;
      },
    });
    recording.start({ tripod: 't', script: '/s.js', argv: [] });
    const threadOne = main();
    recording.join(threadOne, remoteCapturer(threadOne, first.child.pid!, options));
    await until(() => kept.of('sample').length >= 2);
    const threadTwo = worker();
    recording.join(threadTwo, remoteCapturer(threadTwo, second.child.pid!, options));
    await until(() => kept.of('sample').filter((s) => s.threadId === 3).length >= 2);
    await recording.leave(threadTwo);
    const afterLeaving = kept.of('sample').filter((s) => s.threadId === 3).length;
    await until(() => kept.of('sample').filter((s) => s.threadId === undefined).length >= 4);
    await recording.stopSampling();
    // A thread that turns up while the recording stops is not sampled.
    recording.join(worker(), remoteCapturer(worker(), second.child.pid!, options));
    recording.end({});

    const samples = kept.of('sample');
    expect(refused).toBe(2);
    expect(samples.map((sample) => sample.seq)).toEqual(samples.map((_, i) => i + 1));
    expect(samples.filter((s) => s.threadId === 3)).toHaveLength(afterLeaving);
    expect(kept.records.at(-1)).toEqual({ event: 'end', samples: samples.length });
    expect(kept.of('start')[0].node).toBe('unknown');
  });
});
