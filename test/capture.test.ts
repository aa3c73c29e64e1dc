import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { FIXTURES, SAMPLES, readLog, run, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

/** Runs a script under tripod at a fast interval and returns its running samples. */
async function sampled(bin: string, script: string, args: string[] = [], env: Record<string, string> = {}) {
  const log = tempLog();
  const result = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, script, ...args], { env });
  expect(result.code, result.stderr).toBe(0);
  const records = readLog(log);
  const running = samplesOf(records).filter((s) => s.state === 'running' && s.frames.length > 0);
  // On a loaded machine a sample can miss its pause (the thread moved on) and be stack-only; locals come from the others.
  return { result, records, log, running, withLocals: running.filter((s) => !s.localsSkipped) };
}

describe.each(nodes)('capture, $label', ({ bin }) => {
  it('samples a CPU-bound loop that never yields, with frames, source lines and locals', async () => {
    const { running, withLocals } = await sampled(bin, path.join(SAMPLES, 'busy_loop.js'), [], { BUSY_SECONDS: '2' });
    expect(running.length).toBeGreaterThanOrEqual(3);
    const sample = withLocals.find((s) => s.frames.some((f: any) => f.function === 'countPrimes'))!;
    expect(sample).toBeDefined();
    const frame = sample.frames.find((f: any) => f.function === 'countPrimes');
    expect(frame.url).toBe(`file://${path.join(SAMPLES, 'busy_loop.js')}`);
    expect(frame.source).toMatch(/isPrime\(candidate\)|while \(Date.now\(\) < deadline\)|candidate\+\+|found\+\+/);
    expect(frame.args).toEqual({ seconds: 2 });
    expect(frame.locals).toMatchObject({ deadline: expect.any(Number), candidate: expect.any(Number), found: expect.any(Number) });
    expect(sample.stack).toMatch(new RegExp(`    at countPrimes \\(${path.join(SAMPLES, 'busy_loop.js')}:\\d+:\\d+\\)`));
    expect(sample.stoppedMs).toBeGreaterThan(0);
  });

  it('hides its own frames and the loader\'s', async () => {
    const { running } = await sampled(bin, path.join(SAMPLES, 'busy_loop.js'), [], { BUSY_SECONDS: '1' });
    for (const sample of running) {
      expect(sample.stack).not.toMatch(/dist\/|bin\/tripod|node:internal\/modules/);
      expect(sample.frames.at(-1).url).toMatch(/busy_loop\.js$/);
    }
  });

  it('samples ES modules with their module-level variables', async () => {
    const { withLocals } = await sampled(bin, path.join(SAMPLES, 'esm_script.mjs'), [], { ESM_BUSY_MS: '1200' });
    const sample = withLocals.find((s) => s.frames[0].function === 'checksum')!;
    expect(sample.frames[0].args).toEqual({ rounds: 1200 });
    const top = sample.frames.at(-1);
    expect(top.url).toMatch(/esm_script\.mjs$/);
    expect(top.locals).toMatchObject({ me: path.join(SAMPLES, 'esm_script.mjs') });
  });

  it('never runs getters or Proxy traps, redacts secrets, and survives cycles', async () => {
    const { result, withLocals, log } = await sampled(bin, path.join(SAMPLES, 'secrets.js'));
    expect(result.stdout).toContain('getter calls: 0, proxy trap calls: 0');
    const frame = withLocals.map((s) => s.frames.find((f: any) => f.function === 'login')).find(Boolean);
    expect(frame.args).toEqual({ user: 'ada', password: '[redacted]', apiKey: '[redacted]' });
    expect(frame.locals.session.props).toMatchObject({ token: '[redacted]', accessToken: '[redacted]' });
    expect(frame.locals.session.props.headers.props).toEqual({ Authorization: '[redacted]', 'x-request-id': 'r-1' });
    expect(frame.locals.watched.props.expensive).toEqual({ $type: 'getter' });
    expect(frame.locals.trap).toEqual({ $type: 'Proxy' });
    expect(frame.locals.circular.props.self.props.self).toMatchObject({ truncated: 'depth' });
    const text = readFileSync(log, 'utf8');
    for (const secret of ['hunter2', 'ak-789', 'tok-123', 'acc-456', 'Bearer xyz']) expect(text).not.toContain(secret);
  });

  it('honours a custom redaction list', async () => {
    const { withLocals } = await sampled(bin, path.join(SAMPLES, 'secrets.js'), [], { TRIPOD_REDACT: '+user' });
    const frame = withLocals.map((s) => s.frames.find((f: any) => f.function === 'login')).find(Boolean);
    expect(frame.args).toEqual({ user: '[redacted]', password: '[redacted]', apiKey: '[redacted]' });
  });

  it('summarises every kind of value within the bounds', async () => {
    const { withLocals } = await sampled(bin, path.join(FIXTURES, 'values.js'), [], { TRIPOD_MAXEL: '3', TRIPOD_MAX_STRING: '10' });
    const frame = withLocals.map((s) => s.frames.find((f: any) => f.function === 'inspectMe')).find(Boolean);
    const v = frame.locals;
    expect(frame.args).toEqual({ count: 7, label: 'label' });
    expect(v.big).toEqual({ $type: 'Array', length: 5000, items: [0, 1, 2], more: 4997 });
    expect(v.small).toEqual({ $type: 'Array', length: 3, items: [1, 'two', { $type: 'Object', props: { three: 3 } }] });
    expect(v.map.$type).toBe('Map');
    expect(v.map.length).toBe(3);
    expect(v.map.entries).toContainEqual(['a', 1]);
    expect(v.map.entries).toContainEqual(['apiToken', '[redacted]']);
    expect(v.map.entries.find((e: any) => e[0] === 'b')[1]).toEqual({ $type: 'Object', props: { deep: { $type: 'Object', truncated: 'depth' } } });
    expect(v.set).toEqual({ $type: 'Set', length: 3, items: [1, 2, 3] });
    expect(v.bytes).toMatchObject({ $type: 'Buffer', length: 5, items: [104, 101, 108], more: 2 });
    expect(v.typed).toMatchObject({ $type: 'Float64Array', items: [1.5, 2.5] });
    expect(v.error).toEqual({ $type: 'RangeError', message: 'RangeError…' });
    expect(v.account).toEqual({ $type: 'Account', props: { id: 42, owner: { $type: 'Object', props: { name: 'ada', roles: { $type: 'Array', length: 2, truncated: 'depth' } } } } });
    expect(v.fn).toEqual({ $type: 'function', name: 'namedFn' });
    expect(v.nothing).toEqual({ $type: 'undefined' });
    expect(v.empty).toBeNull();
    expect(v.huge).toEqual({ $type: 'bigint', value: '1000000000000000000000000000000n' });
    expect(v.sym).toEqual({ $type: 'symbol', value: 'Symbol(tag)' });
    expect(v.nan).toEqual({ $type: 'number', value: 'NaN' });
    expect(v.negZero).toEqual({ $type: 'number', value: '-0' });
    expect(v.long).toEqual({ $type: 'string', value: 'xxxxxxxxxx', length: 1000, more: 990 });
    expect(v.when.$type).toBe('Date');
    expect(v.pattern).toEqual({ $type: 'RegExp', value: '/ab+c/gi' });
    // No built-in tells a promise's state without running code (V8's description of its result calls getters).
    expect(v.pending).toEqual({ $type: 'Promise', truncated: 'state' });
    expect(v.wide).toMatchObject({ $type: 'Object', more: 47 });
    expect(Object.keys(v.wide.props)).toEqual(['k0', 'k1', 'k2']);
  });

  it('reads the same values in the target as getProperties lists, and needs none of the program\'s process.getBuiltinModule', async () => {
    const both = async (args: string[]) => {
      const result = await run(bin, [path.join(FIXTURES, 'two-readers.js'), ...args]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    const read = await both([]);
    expect(read.installed).toBe(true);
    expect(read.skipped).toBeUndefined();
    expect(read.calls).toEqual({ getter: 0, proxy: 0 });
    expect(read.getProperties.locals.trap).toEqual({ $type: 'Proxy' });
    expect(read.inTarget.locals.promises.items).toEqual([1, 2, 3].map(() => ({ $type: 'Promise', truncated: 'state' })));
    expect(Object.keys(read.getProperties.locals)).toHaveLength(22);
    expect(read.inTarget).toEqual(read.getProperties);
    // The reader is compiled in a realm made from Node's natives: a program without (or with its own)
    // process.getBuiltinModule reads the same. (Only a Node before 20.18 and 22.8 takes that route, and there,
    // without process.getBuiltinModule, no variables are read.)
    const without = await both(['no-builtin-module']);
    expect(without.installed).toBe(true);
    expect(without.skipped).toBeUndefined();
    expect(without.inTarget).toEqual(without.getProperties);
  });

  it('reads locals only within --locals-budget, and says so in the samples that go without', async () => {
    // Every 0.25 s, a 1% budget earns 2.5 ms a sample: less than one read of locals costs (Debugger.enable alone is more).
    const tight = await sampled(bin, path.join(SAMPLES, 'busy_loop.js'), [], { BUSY_SECONDS: '3', TRIPOD_LOCALS_BUDGET: '1' });
    expect(tight.withLocals.length).toBeGreaterThan(0);
    const skipped = tight.running.filter((s) => /^over --locals-budget 1%: reading locals last stopped the main thread [\d.]+ ms$/.test(s.localsSkipped));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0].frames[0].function).toBeTruthy();
    expect(tight.records[0].localsBudget).toBe(0.01);
    const lifted = await sampled(bin, path.join(SAMPLES, 'busy_loop.js'), [], { BUSY_SECONDS: '3', TRIPOD_LOCALS_BUDGET: '100' });
    expect(lifted.running.filter((s) => /locals-budget/.test(s.localsSkipped ?? ''))).toEqual([]);
  });

  it('keeps the top --max-frames of a deep stack and skips its locals', async () => {
    const { running } = await sampled(bin, path.join(SAMPLES, 'deep_recursion.js'), [], { DEPTH: '500', TRIPOD_MAX_FRAMES: '30' });
    const deep = running.filter((s) => s.frames[0].function === 'descend' && s.frames.length === 30);
    expect(deep.length).toBeGreaterThan(0);
    expect(deep[0].localsSkipped).toMatch(/deeper than --max-frames 30/);
    expect(deep[0].stack.split('\n')).toHaveLength(31);
  });

  it('reads stacks only with --no-locals', async () => {
    const { running } = await sampled(bin, path.join(SAMPLES, 'busy_loop.js'), [], { BUSY_SECONDS: '1', TRIPOD_LOCALS: '0' });
    expect(running.length).toBeGreaterThan(0);
    for (const s of running) for (const f of s.frames) expect(f.locals ?? f.args).toBeUndefined();
  });
});

describe.each(nodes)('idle and blocked targets, $label', ({ bin }) => {
  it('records an idle target as idle and its timers still fire on time after 100 samples', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.02', '--log', log, path.join(FIXTURES, 'timers.js'), '200']);
    expect(result.code).toBe(0);
    const samples = samplesOf(readLog(log));
    const idle = samples.filter((s) => s.state === 'idle');
    expect(idle.length).toBeGreaterThanOrEqual(100);
    expect(idle[0].waitingOn).toContain('Timeout');
    expect(idle[0].stoppedMs).toBe(0);
    // Every tick is measured; the 95th percentile keeps a scheduling hiccup of a loaded machine from failing it,
    // while a pause left armed (it would stop the target in a timer) would show after every sample.
    const { ticks, p95LateMs, worstLateMs } = JSON.parse(result.stdout);
    expect(ticks).toBe(200);
    expect(p95LateMs).toBeLessThan(50);
    expect(worstLateMs).toBeLessThan(1000);
    // A probe can land while a tick runs (a true running sample), but the target is idle almost all the time.
    expect(samples.filter((s) => s.state !== 'idle').length).toBeLessThan(samples.length / 10);
  });

  it('records a thread blocked in execSync as blocked, with how long and who called, and the target finishes', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.3', '--timeout', '0.2', '--log', log, path.join(FIXTURES, 'blocked.js')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('finished normally\n');
    const blocked = samplesOf(readLog(log)).filter((s) => s.state === 'blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0].blockedMs).toBeGreaterThan(1000);
    expect(blocked[0].blockedMs).toBeLessThan(10_000);
    expect(blocked[0].frames.map((f: any) => f.function)).toContain('callsNative');
    expect(blocked[0].stack).toMatch(/at callsNative \(.*blocked\.js:4:\d+\)/);
  });
});
