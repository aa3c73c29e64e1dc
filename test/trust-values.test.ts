/**
 * Issue 10, items 9 and 12: reading values never runs the program's code, and every read is bounded in time
 * and size. Real targets under the runner, `tripod dump --locals` and the watchdog, on every test Node.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, type LogRecord, readLog, samplesOf, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets, type Target } from './helpers/target';

const nodes = inject('nodes');
const HOSTILE = path.join(FIXTURES, 'values-hostile.js');
const HUGE = path.join(FIXTURES, 'values-huge.js');
/** The record ceiling README states: 256 KB of JSON per sample. */
const RECORD_CEILING = 256 * 1024;
const ANY_PORT = '--inspect-port=0';

afterEach(() => stopAllTargets());

/** The frames named `fn` that carry variables, from every sample of the log. */
function framesOf(records: LogRecord[], fn: string): LogRecord[] {
  return records.flatMap((r) => (r.frames ?? []).filter((f: LogRecord) => f.function === fn && (f.args || f.locals)));
}

function recordBytes(log: string): number[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"event":"sample"') || line.includes('"event":"stall"'))
    .map((line) => Buffer.byteLength(line));
}

/** Asks the hostile fixture (started with "wait") how many of its traps and getters ran. */
async function callsOf(target: Target): Promise<number> {
  const before = target.stdout().length;
  target.child.stdin!.write('report\n');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = target.stdout().slice(before).split('\n').find((l) => l.startsWith('{"calls"'));
    if (line) return JSON.parse(line).calls;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the fixture did not report; stdout: ${target.stdout()}`);
}

describe.each(nodes)("reading values runs none of the program's code, $label", ({ bin }) => {
  it('in the runner: counting getters, Proxy traps (a Proxy prototype too), Error getters, prepareStackTrace and promises of them see 0 calls', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, HOSTILE], { env: { BUSY_MS: '2500' } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ calls: 0 });
    const frames = framesOf(readLog(log), 'hold');
    expect(frames.length).toBeGreaterThan(0);
    const v = frames[0].locals;
    expect(v.accessor).toEqual({ $type: 'Object', props: { counted: { $type: 'getter' } } });
    expect(v.proxy).toEqual({ $type: 'Proxy' });
    expect(v.revoked).toEqual({ $type: 'Proxy' });
    expect(v.onProxy).toEqual({ $type: 'Object', props: { own: 'own' } });
    // Name and message are getters: the class's data properties are shown instead.
    expect(v.error).toEqual({ $type: 'TypeError', message: 'TypeError' });
    expect(v.shared).toEqual({ $type: 'SharedArrayBuffer', value: 'SharedArrayBuffer(16)' });
    expect(v.sharedView).toEqual({ $type: 'Int32Array', length: 4, items: [0, 0, 0, 0] });
    expect(v.detachedView).toEqual({ $type: 'DataView', value: 'DataView(detached)' });
    expect(v.detachedTyped).toEqual({ $type: 'Float64Array', length: 0, items: [] });
    expect(v.tracking).toMatchObject({ $type: 'Uint8Array', length: 8 });
    expect(v.boxed.items).toEqual([
      { $type: 'Number', value: '1' },
      { $type: 'Boolean', value: 'false' },
      { $type: 'Symbol', value: 'Symbol(boxed)' },
      { $type: 'BigInt', value: '10n' },
    ]);
    expect(v.nullProto).toEqual({ $type: 'Object', props: { a: 1, error: { $type: 'TypeError', message: 'TypeError' } } });
    expect(v.mapWithHostiles.entries[0][0]).toEqual({ $type: 'Proxy' });
    expect(v.namespace.$type).toBe('Module');
    expect(v.weakRef.$type).toBe('WeakRef');
    expect(v.promises.items).toHaveLength(7);
    for (const promise of v.promises.items) expect(promise).toEqual({ $type: 'Promise', truncated: 'state' });
  });

  it('in the runner, with Reflect, Object, JSON, String.prototype and Function.prototype methods replaced by counting ones: 0 calls, values read', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, HOSTILE], { env: { BUSY_MS: '2000', REPLACE_INTRINSICS: '1' } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ calls: 0 });
    const frames = framesOf(readLog(log), 'hold');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0].locals.shared).toEqual({ $type: 'SharedArrayBuffer', value: 'SharedArrayBuffer(16)' });
    expect(frames[0].locals.onProxy).toEqual({ $type: 'Object', props: { own: 'own' } });
  });

  const hidings = [
    ['hides Node\'s internals (a global `process` of its own)', 'HIDE_PROCESS'],
    ['fakes them (a `process` accessor whose closure holds a look-alike of internalBinding)', 'FAKE_INTERNALS'],
  ];
  it.each(hidings)('in the runner, a program that %s gets stack-only samples that say why, and 0 calls', async (_, mode) => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, HOSTILE], { env: { BUSY_MS: '1500', REPLACE_INTRINSICS: '1', [mode]: '1' } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ calls: 0 });
    const holding = samplesOf(readLog(log)).filter((s) => s.frames?.[0]?.function === 'hold');
    expect(holding.length).toBeGreaterThan(0);
    expect(framesOf(holding, 'hold')).toEqual([]);
    expect(holding.some((s) => /^the in-target reader declined: tripod could not make its own realm there \(Node's internalBinding was not found\)$/.test(s.localsSkipped))).toBe(true);
  });

  it.each(hidings)('in tripod dump, a program that %s is refused in one line (exit 6), with 0 calls, and runs on', async (_, mode) => {
    const target = startTarget(bin, [ANY_PORT, HOSTILE, 'wait'], { REPLACE_INTRINSICS: '1', [mode]: '1' });
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      new RegExp(`^tripod: the stack probe cannot be installed in process ${target.pid} without running its code \\(Node's internalBinding was not found\\); nothing was run — start the program with --require tripod/agent to dump it\n`),
    );
    expect(await callsOf(target)).toBe(0);
  });

  it('in tripod dump --locals: the same program sees 0 calls and the dump shows its values', async () => {
    const target = startTarget(bin, [ANY_PORT, HOSTILE, 'wait'], { REPLACE_INTRINSICS: '1' });
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/    at hold \(.*values-hostile\.js:\d+:\d+\)/);
    expect(result.stdout).toContain('SharedArrayBuffer(16)');
    expect(result.stdout).toContain('Promise [state not read]');
    expect(result.stdout).toContain('onProxy: { own: \'own\' }');
    expect(await callsOf(target)).toBe(0);
  });
});

describe.each(nodes)('every read is bounded in time and size, $label', ({ bin }) => {
  it('a String wrapper of 10 million characters is read as its string, in milliseconds (it stopped the program 15-30 s)', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.5', '--log', log, HUGE, 'string'], { env: { BUSY_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).elapsedMs).toBeLessThan(10_000);
    const records = readLog(log);
    const frames = framesOf(records, 'holdString');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames[0].args.wrapped).toEqual({ $type: 'String', value: 'y'.repeat(200), length: 1e7, more: 1e7 - 200 });
    for (const s of samplesOf(records)) expect(s.stoppedMs).toBeLessThan(1000);
    for (const bytes of recordBytes(log)) expect(bytes).toBeLessThan(RECORD_CEILING);
  });

  it('an object with a million keys is listed once, then marked by its size without listing it again', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.4', '--log', log, HUGE, 'keys'], { env: { BUSY_MS: '2500' } });
    expect(result.code, result.stderr).toBe(0);
    const samples = samplesOf(readLog(log));
    const holding = samples.filter((s) => framesOf([s], 'holdKeys').length > 0);
    expect(holding.length).toBeGreaterThan(1);
    for (const s of holding) expect(framesOf([s], 'holdKeys')[0].args.wide).toMatchObject({ $type: 'Object', truncated: 'size' });
    // The first sample to meet it pays one listing of its keys (hundreds of ms); none after does (it cost 0.7-4 s each).
    const met = samples.findIndex((s) => /"wide":\{[^}]*"truncated":"size"/.test(JSON.stringify(s)));
    for (const s of samples.slice(met + 1)) expect(s.stoppedMs).toBeLessThan(500);
    for (const s of samples) expect(s.stoppedMs).toBeLessThan(5000);
  });

  it('a 5,000-variable closure shared by 20 frames is written once, 100 variables of it, and shown once', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.5', '--log', log, HUGE, 'closure'], { env: { BUSY_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    const sample = samplesOf(records).find((s) => s.sharedScopes && framesOf([s], 'descend').length === 20)!;
    expect(sample).toBeDefined();
    // V8 lists a closure's variables in its own order, not the source's: which 100 are kept is V8's choice.
    const bundle = sample.sharedScopes.findIndex((scope: LogRecord) => (scope.more ?? 0) > 4000);
    expect(bundle).toBeGreaterThanOrEqual(0);
    const { variables, more } = sample.sharedScopes[bundle];
    expect(Object.keys(variables)).toHaveLength(100);
    for (const [name, value] of Object.entries(variables)) if (/^v\d+$/.test(name)) expect(value).toBe(Number(name.slice(1)));
    expect(more + 100).toBeGreaterThanOrEqual(5000);
    for (const frame of framesOf([sample], 'descend')) {
      expect(frame.sharedClosure).toContain(bundle);
      for (const name of Object.keys(variables)) expect(frame.closure?.[name]).toBeUndefined();
    }
    for (const s of samplesOf(records)) expect(s.stoppedMs).toBeLessThan(1000);
    // It was 1.3 MB a sample (the scope written again for every frame).
    for (const bytes of recordBytes(log)) expect(bytes).toBeLessThan(RECORD_CEILING);
    const shown = await tripod(bin, ['show', '--no-color'], { input: `${JSON.stringify(sample)}\n` });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Shared closure scopes:');
    expect(shown.stdout).toContain(`#${bundle + 1}, closed over by frames`);
    expect(shown.stdout).toContain(`… ${more} more`);
    const [name, value] = Object.entries(variables).find(([n]) => /^v\d+$/.test(n))!;
    expect(shown.stdout.match(new RegExp(`\\b${name}: ${value}\\b`, 'g'))).toHaveLength(1);
    expect(shown.stdout.split('\n').length).toBeLessThan(2000);
  });

  it('2 MB of strings under a large --max-string stop the read at the record ceiling, and it says so', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.3', '--max-string', '100000', '--log', log, HUGE, 'strings'], { env: { BUSY_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    const frames = framesOf(readLog(log), 'holdStrings');
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(JSON.stringify(frame)).toMatch(/"truncated":"record"/);
    for (const bytes of recordBytes(log)) expect(bytes).toBeLessThan(RECORD_CEILING);
  });

  it('a bigint of 200,000 digits and names, messages and symbols of a million characters are cut, not written out', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.3', '--log', log, HUGE, 'strings'], { env: { BUSY_MS: '1500' } });
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    const frames = framesOf(records, 'holdStrings').filter((f) => f.locals?.tagged);
    expect(frames.length).toBeGreaterThan(0);
    const v = frames[0].locals;
    expect(v.digits).toEqual({ $type: 'bigint', value: '(over 1000 digits)' });
    expect(v.error).toEqual({ $type: 'Error', message: `Error: ${'m'.repeat(193)}…` });
    expect(v.symbol.value).toBe(`Symbol(${'m'.repeat(993)}`);
    // A name too long to scan for a secret's is taken for one.
    expect(v.keyed.props).toEqual({ ['m'.repeat(1000)]: '[redacted]' });
    expect(v.tagged.$type).toBe('m'.repeat(1000));
    for (const s of samplesOf(records)) expect(s.stoppedMs).toBeLessThan(1000);
    for (const bytes of recordBytes(log)) expect(bytes).toBeLessThan(50_000);
  });

  it('under --watchdog 100, a 300 ms stall holding a million-key object stays well under a second or two (it became 2.2-2.9 s)', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0', '--watchdog', '100', '--log', log, HUGE, 'keys'], { env: { STALL_MS: '300' } });
    expect(result.code, result.stderr).toBe(0);
    const { stallMs } = JSON.parse(result.stdout);
    expect(stallMs).toBeGreaterThanOrEqual(300);
    expect(stallMs).toBeLessThan(2000);
    const records = readLog(log);
    const stall = records.find((r) => r.event === 'stall' && framesOf([r], 'holdKeys').length > 0)!;
    expect(stall).toBeDefined();
    expect(framesOf([stall], 'holdKeys')[0].args.wide).toMatchObject({ truncated: 'size' });
    for (const bytes of recordBytes(log)) expect(bytes).toBeLessThan(RECORD_CEILING);
  });
});
