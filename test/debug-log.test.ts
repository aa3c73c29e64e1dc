/**
 * Issue 12, item 5: TRIPOD_DEBUG writes what tripod's parts do to stderr, one line each with a timing, only
 * for the sections asked for; nothing at all when it is unset. Real targets under the runner and `tripod dump`,
 * on every test Node.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, run, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const SCRIPT = path.join(FIXTURES, 'debug-stderr.js');
const PROGRAM_LINES = ['before the busy second', 'after spinning'];
/** One debug line: `tripod:SECTION 12.3ms message` (a step's duration) or `tripod:SECTION +0.4ms message` (since the last). */
const DEBUG_LINE = /^tripod:([a-z]+) \+?\d+\.\dms \S/;

afterEach(() => stopAllTargets());

function tripodLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !PROGRAM_LINES.includes(line));
}

describe.each(nodes)('TRIPOD_DEBUG, $label', ({ bin }) => {
  it('off by default: stderr is byte for byte what node writes', async () => {
    const plain = await run(bin, [SCRIPT]);
    const sampled = await tripod(bin, ['-q', '--interval', '0.2', '--log', tempLog(), SCRIPT]);
    expect(sampled.code).toBe(plain.code);
    expect(sampled.stderr).toBe(plain.stderr);
    expect(plain.stderr).toBe('before the busy second\nafter spinning\n');
  });

  it('TRIPOD_DEBUG=capture writes capture lines with timings, and nothing else of tripod', async () => {
    const result = await tripod(bin, ['-q', '--interval', '0.2', '--log', tempLog(), SCRIPT], { env: { TRIPOD_DEBUG: 'capture' } });
    expect(result.code, result.stderr).toBe(0);
    const lines = tripodLines(result.stderr);
    for (const line of lines) expect(line).toMatch(DEBUG_LINE);
    expect(new Set(lines.map((line) => DEBUG_LINE.exec(line)![1]))).toEqual(new Set(['capture']));
    expect(lines.some((line) => /^tripod:capture \d+\.\dms probe answered \(main, \d+ frames\)$/.test(line))).toBe(true);
    expect(lines.some((line) => /^tripod:capture \d+\.\dms resumed: main thread stopped/.test(line))).toBe(true);
    // The program's own lines are all there, in order.
    expect(result.stderr.split('\n').filter((line) => PROGRAM_LINES.includes(line))).toEqual(PROGRAM_LINES);
  });

  it('--debug turns every section on: the sampler worker and the main thread both write', async () => {
    const result = await tripod(bin, ['-q', '--debug', '--interval', '0.2', '--log', tempLog(), SCRIPT]);
    expect(result.code, result.stderr).toBe(0);
    const sections = new Set(tripodLines(result.stderr).map((line) => DEBUG_LINE.exec(line)?.[1]));
    // log: opened on the main thread; capture and sample: in the worker.
    for (const section of ['log', 'capture', 'sample']) expect(sections).toContain(section);
  });

  it('an unknown section is refused in one line, exit 2, before the script runs', async () => {
    const result = await tripod(bin, ['-q', SCRIPT], { env: { TRIPOD_DEBUG: 'captur' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'tripod: TRIPOD_DEBUG names "captur", which is no section; use a comma list of capture, attach, record, sample, log, profile, watchdog, crash, or * for all\n',
    );
  });

  it('tripod dump PID with TRIPOD_DEBUG=attach names its route and how the inspector was closed', async () => {
    const target = startTarget(bin, ['--inspect-port=0', path.join(FIXTURES, 'attach-busy.js')]);
    await target.waitFor(/ready/);
    // -q: the timing line the dump ends with is no debug line.
    const result = await tripod(bin, ['dump', '-q', String(target.pid)], { env: { TRIPOD_DEBUG: 'attach' } });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^tripod:attach \+\d+\.\dms /);
    expect(lines.some((line) => line.includes(`route: signal (pid ${target.pid}, node v`))).toBe(true);
    expect(lines.some((line) => /endpoint 127\.0\.0\.1:\d+ \(opened by SIGUSR1\)/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('native close: the inspector is closed'))).toBe(true);
    expect(result.stdout).toMatch(/at crunch/);
  });
});
