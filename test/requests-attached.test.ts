/**
 * Requests in flight where tripod keeps no table, and in every kind of sample where it does: `tripod
 * record --requests PID` of a plain node server (read from its open sockets, sample after sample), the
 * monitor's `requests` command, the crash record of a server that throws with requests in flight, and
 * the stall, slow, dump and record PID samples of a tripod-run server.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, finish, type LogRecord, readLog, samplesOf, start, tempLog, TRIPOD, tripod } from './helpers/cli';
import { startTarget, stopAllTargets, type Target } from './helpers/target';

const nodes = inject('nodes');
const PLAIN_RECORD = path.join(FIXTURES, 'requests-plain-record.js');
const EVERY_SAMPLE = path.join(FIXTURES, 'requests-every-sample.js');

afterEach(() => stopAllTargets());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The log's samples once `found` holds for one of them (tripod record writes as it goes). */
async function sampleWhere(log: string, found: (sample: LogRecord) => boolean, timeoutMs = 30_000): Promise<LogRecord> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let records: LogRecord[] = [];
    try {
      records = samplesOf(readLog(log));
    } catch {
      // not created yet, or a line half written
    }
    const sample = records.find(found);
    if (sample) return sample;
    await sleep(50);
  }
  throw new Error(`no such sample in ${log}: ${readFileSafe(log)}`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(none)';
  }
}

const paths = (sample: LogRecord) => (sample.inFlight?.server ?? []).map((r: LogRecord) => r.path);

/** Sends a line to the target and waits for its answer (the first one past what it printed so far). */
async function tell(target: Target, line: string, answer: RegExp): Promise<string> {
  const before = target.stdout().length;
  target.child.stdin!.write(`${line}\n`);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = answer.exec(target.stdout().slice(before));
    if (match) return match[0];
    await sleep(20);
  }
  throw new Error(`no ${answer} from the target after ${line}; stdout: ${target.stdout()}`);
}

/**
 * A first dump installs the stack probe's holder, which uses the program's Object.getOwnPropertyDescriptor
 * once (README: Limits): counted, then forgotten, so the count that follows is the requests' reader's alone.
 */
async function probeInstalled(bin: string, target: Target): Promise<void> {
  const dumped = await tripod(bin, ['dump', '-q', String(target.pid)]);
  expect(dumped.code, dumped.stderr).toBe(0);
  await tell(target, 'reset', /reset\n/);
}

describe.each(nodes)('requests in flight where tripod keeps no table, $label', ({ bin }) => {
  it('record --requests PID lists a plain node server\'s requests, and its outbound http ones, in every sample, with ages; one that ends leaves', async () => {
    const target = startTarget(bin, [PLAIN_RECORD]);
    await target.waitFor(/ready/);
    const log = tempLog();
    const recording = finish(start(bin, [TRIPOD, 'record', '--requests', '--interval', '0.2', '--duration', '60', '-o', log, String(target.pid)]), { killAfterMs: 90_000 });
    const hanging = ['/hang/0?…', '/hang/1?…', '/hang/2?…'];
    // Followed from sample to sample: the same ids, older.
    const first = await sampleWhere(log, (s) => s.inFlight?.serverTotal === 3 && s.inFlight.outboundTotal === 5);
    const later = await sampleWhere(log, (s) => s.seq > first.seq && s.inFlight?.serverTotal === 3 && s.inFlight.server[0].ageMs >= 300);
    expect(later.inFlight).toMatchObject({ source: 'sockets', outboundTotal: 5 });
    // Its own http.get calls, on their client sockets: in flight until their answer is read.
    const outbound = (sample: LogRecord) => sample.inFlight.outbound.map((r: LogRecord) => r.path).sort();
    expect(outbound(later)).toEqual(['/accessor', '/hang/0?…', '/hang/1?…', '/hang/2?…', '/proxy']);
    for (const r of later.inFlight.outbound) expect(r).toMatchObject({ method: 'GET', origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    // Not /accessor nor /proxy: their socket's response sits behind the program's getter or a Proxy.
    expect(paths(later)).toEqual(hanging);
    expect(later.inFlight.server.map((r: LogRecord) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(later.inFlight.server.map((r: LogRecord) => r.id)).toEqual(first.inFlight.server.map((r: LogRecord) => r.id));
    // One ends, one more comes: the next samples drop the one and list the other.
    await tell(target, 'end 1', /ended 1/);
    await tell(target, 'later', /later seen/);
    const after = await sampleWhere(log, (s) => paths(s).includes('/later/0'));
    expect(paths(after)).toEqual(['/hang/0?…', '/hang/2?…', '/later/0']);
    expect(after.inFlight.server[2].id).toBeGreaterThan(3);
    const next = await sampleWhere(log, (s) => s.seq > after.seq + 1);
    expect(outbound(next)).toEqual(['/accessor', '/hang/0?…', '/hang/2?…', '/later/0', '/proxy']);
    target.child.kill('SIGINT');
    const result = await recording;
    expect(result.code, result.stderr).toBe(0);
    const samples = samplesOf(readLog(log));
    const ended = samples.findIndex((s) => s.seq === after.seq);
    expect(samples.slice(ended).every((s) => !paths(s).includes('/hang/1?…'))).toBe(true);
    const shown = await tripod(bin, ['show', '--no-color', log, '--event', 'sample']);
    expect(shown.stdout).toMatch(/idle; 3 requests in flight \(found on its sockets\), oldest GET \/hang\/0\?… \(at least \d/);
  }, 120_000);

  it('monitor\'s requests lists them, from its sockets (ages kept between commands) or its heap, calling no program code', async () => {
    const target = startTarget(bin, [PLAIN_RECORD]);
    await target.waitFor(/ready/);
    await probeInstalled(bin, target);
    const result = await tripod(bin, ['monitor', String(target.pid), '-e', 'requests', '-e', 'eval 1', '-e', 'requests', '-e', 'requests --heap', '-e', 'requests --all']);
    expect(result.code).toBe(1);
    const [first, second] = result.stdout.split('3 server requests in flight (found on its sockets, best effort: ages since first seen)\n').slice(1);
    expect(first).toMatch(/^ {4}#\d+ GET \/hang\/0\?… \(at least \d+ ms\)\n {4}#\d+ GET \/hang\/1\?… \(at least \d+ ms\)\n {4}#\d+ GET \/hang\/2\?… \(at least \d+ ms\)\n5 outbound requests in flight\n {4}#\d+ GET http:\/\/127\.0\.0\.1:\d+\/hang\/0\?… \(at least \d+ ms\)\n/);
    // The same requests, followed: the same ids, older.
    const oldest = (text: string) => /^ {4}#(\d+) GET \/hang\/0\?… \(at least (\d+) ms\)/.exec(text)!;
    expect(oldest(second)[1]).toBe(oldest(first)[1]);
    expect(Number(oldest(second)[2])).toBeGreaterThan(Number(oldest(first)[2]));
    // The heap walk reads the responses themselves, those the program hid from their sockets too.
    const heap = /5 server requests in flight \(found in the heap, best effort: ages unknown\)\n((?: {4}#\d GET \S+\n){5})/.exec(result.stdout);
    expect(heap![1].split('\n').map((line) => line.replace(/^ +#\d GET /, '')).filter(Boolean).sort()).toEqual(['/accessor', '/hang/0?…', '/hang/1?…', '/hang/2?…', '/proxy']);
    expect(result.stderr).toContain('requests: unknown "--all"; give nothing, or --heap to walk the heap as dump --requests does');
    expect(result.stderr.match(/ \*\* took \d+\.\d+ s, main thread stopped/g)!.length).toBeGreaterThanOrEqual(4);
    // The requests commands reached none of the program's functions (nor did eval 1, which calls none).
    expect(await tell(target, 'count', /calls from outside: .*\n/)).toBe('calls from outside: 0 \n');
  }, 60_000);

  it('record --requests PID calls neither the program\'s getters nor the built-ins it replaced, and lists nothing once it replaced process._getActiveHandles', async () => {
    for (const variant of ['', 'replaced']) {
      const target = startTarget(bin, [PLAIN_RECORD, ...(variant ? [variant] : [])]);
      await target.waitFor(/ready/);
      await probeInstalled(bin, target);
      const log = tempLog();
      const result = await tripod(bin, ['record', '-q', '--requests', '--interval', '0.2', '--duration', '1.5', '--locals', '-o', log, String(target.pid)]);
      expect(result.code, result.stderr).toBe(0);
      expect(await tell(target, 'count', /calls from outside: .*\n/)).toBe('calls from outside: 0 \n');
      const listed = samplesOf(readLog(log)).filter((s) => s.inFlight);
      if (variant) expect(listed).toEqual([]);
      else expect(listed.length).toBeGreaterThan(0);
      target.stop();
    }
  }, 60_000);
});

const major = (bin: string, label: string) => Number(/node v?(\d+)/.exec(label)?.[1] ?? bin);
const HANGING = ['/hang/0?…', '/hang/1'];

describe.each(nodes)('every kind of sample of a tripod-run server lists what is in flight, $label', ({ bin, label }) => {
  const node24 = major(bin, label) >= 24;

  it('the crash record of a server that throws with requests in flight has them, and show says so', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0', '--crash', '--log', log, EVERY_SAMPLE, 'crash']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: order 42 failed');
    const crash = readLog(log).find((r) => r.event === 'crash')!;
    expect(crash.frames[0]).toMatchObject({ function: 'handleBoom' });
    expect(crash.inFlight).toMatchObject({ serverTotal: 3, outboundTotal: 3 });
    expect(paths(crash)).toEqual([...HANGING, '/boom']);
    expect(crash.inFlight.server[0].ageMs).toBeGreaterThanOrEqual(250);
    // The request whose code threw: AsyncLocalStorage, on by default on Node 24 only.
    if (node24) expect(crash.request).toMatchObject({ method: 'GET', path: '/boom' });
    else expect(crash.request).toBeUndefined();
    const shown = await tripod(bin, ['show', '--no-color', log, '--event', 'crash']);
    expect(shown.stdout).toMatch(/ERROR: crash: uncaught exception Error: order 42 failed(?: while running GET \/boom \(\d+ ms in\))?\n {4}\(3 requests in flight, oldest GET \/hang\/0\?… \(\d+ ms\)\)\n {4}at handleBoom/);
  });

  it('periodic, stall and slow records carry the table', async () => {
    const log = tempLog();
    const result = await tripod(bin, ['-q', '--interval', '0.1', '--watchdog', '200', '--slow', '300', '--log', log, EVERY_SAMPLE, 'stall']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('done\n');
    const records = readLog(log);
    const stall = records.find((r) => r.event === 'stall')!;
    expect(stall.inFlight.serverTotal).toBe(3);
    expect(paths(stall)).toEqual([...HANGING, '/block']);
    const slow = records.filter((r) => r.event === 'slow');
    expect(slow.map((r) => r.slow.path).sort()).toEqual(['/block', ...HANGING].sort());
    for (const r of slow) expect(paths(r)).toEqual(expect.arrayContaining(HANGING));
    expect(samplesOf(records).some((s) => paths(s).join() === HANGING.join())).toBe(true);
  });

  it('dump PID, record PID and monitor\'s requests and main of a tripod-run server read its table (ages, outbound requests), --requests or not', async () => {
    const target = startTarget(bin, [TRIPOD, '-q', '--interval', '60', '--log', tempLog(), EVERY_SAMPLE, 'serve']);
    await target.waitFor(/ready/);
    const dumped = await tripod(bin, ['dump', '--json', String(target.pid)]);
    expect(dumped.code, dumped.stderr).toBe(0);
    const [main] = JSON.parse(dumped.stdout).threads;
    expect(main.inFlight).toMatchObject({ serverTotal: 2, outboundTotal: 2 });
    expect(main.inFlight.source).toBeUndefined();
    expect(paths(main)).toEqual(HANGING);
    for (const asked of [[], ['--requests']]) {
      const log = tempLog();
      const recorded = await tripod(bin, ['record', '-q', ...asked, '--interval', '0.2', '--duration', '1', '-o', log, String(target.pid)]);
      expect(recorded.code, recorded.stderr).toBe(0);
      // The idle target's samples (on a loaded machine one may miss --timeout, and be called blocked).
      const samples = samplesOf(readLog(log)).filter((s) => s.state === 'idle');
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) {
        expect(paths(s)).toEqual(HANGING);
        expect(s.inFlight).toMatchObject({ outboundTotal: 2 });
        expect(s.inFlight.source).toBeUndefined();
      }
    }
    const console = await tripod(bin, ['monitor', String(target.pid), '-e', 'requests', '-e', 'main']);
    expect(console.code, console.stderr).toBe(0);
    expect(console.stdout).toMatch(/^2 server requests in flight\n {4}#\d+ GET \/hang\/0\?… \(\d.*\)\n {4}#\d+ GET \/hang\/1 \(.*\)\n2 outbound requests in flight\n {4}#\d+ GET http:\/\/127\.0\.0\.1:\d+\/hang\/0\?… /);
    expect(console.stdout).toMatch(/### Thread 0 "main": idle; 2 requests in flight, oldest GET \/hang\/0\?… \(\d/);
    expect(target.stdout()).toBe('ready\n');
  }, 60_000);
});
