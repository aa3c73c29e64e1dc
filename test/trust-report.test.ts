/**
 * Issue 10 items 6 and 19 (20 is in trust-report-fuzz.test.ts): what tripod
 * show, dump and report print and read.
 * 6: a target's strings with ESC, BEL, CSI and OSC sequences come out escaped.
 * 19: frames and source maps naming devices and FIFOs are not read; a log line
 * without end is not held in memory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, ROOT, TRIPOD, readLog, run, start, tempDir, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Characters a terminal acts on: C0 controls but newline and tab, DEL, C1 controls. */
function controlCharacters(text: string): string[] {
  return [...text.matchAll(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g)].map((m) => `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const EVIL = '\\x1B]0;pwned\\x07\\x1B[2J\\x1B[H\\x9B31m\\x07';

afterEach(() => stopAllTargets());

describe.each(nodes)('terminal escapes in what tripod prints, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    log = tempLog();
    const run = await tripod(bin, ['-q', '--interval', '0.25', '--log', log, fixture('report-escapes.js')]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('tripod show --no-color escapes control characters in values, keys, names and source lines', async () => {
    const result = await tripod(bin, ['show', '--no-color', log]);
    expect(result.code, result.stderr).toBe(0);
    expect(controlCharacters(result.stdout)).toEqual([]);
    // What the target wrote is still there, as util.inspect writes it.
    expect(result.stdout).toContain(`at spin${EVIL} (`);
    expect(result.stdout).toContain(`banner: 'hello${EVIL}'`);
    expect(result.stdout).toContain(`'k${EVIL}': 1`);
    expect(result.stdout).toContain(`'m${EVIL}' => 'mv${EVIL}'`);
    expect(result.stdout).toContain(`[Error: e${EVIL}]`);
    expect(result.stdout).toContain('spins++; // \\x1B]0;src-title\\x07\\x1B[2J\\x9B31m');
  });

  it('tripod show with colour adds only its own colour codes', async () => {
    const result = await tripod(bin, ['show', '--color', log]);
    expect(result.code, result.stderr).toBe(0);
    const withoutColour = result.stdout.replace(/\u001b\[[\d;]*m/g, '');
    expect(controlCharacters(withoutColour)).toEqual([]);
    expect(withoutColour).toContain(`banner: 'hello${EVIL}'`);
  });

  it('tripod report escapes function names in the table', async () => {
    const result = await tripod(bin, ['report', log]);
    expect(result.code, result.stderr).toBe(0);
    expect(controlCharacters(result.stdout)).toEqual([]);
    expect(result.stdout).toContain(`spin${EVIL} (`);
  });

  it('tripod dump --locals escapes them too, thread names included', async () => {
    const target = startTarget(bin, ['--inspect-port=0', fixture('report-escapes.js')], { ESCAPES_FOREVER: '1' });
    await target.waitFor(/ready/);
    const result = await tripod(bin, ['dump', '--locals', String(target.pid)]);
    expect(result.code, result.stderr).toBe(0);
    expect(controlCharacters(result.stdout)).toEqual([]);
    expect(result.stdout).toContain(`at spin${EVIL} (`);
    expect(result.stdout).toContain(`banner: 'hello${EVIL}'`);
    expect(result.stdout).toContain(`"w${EVIL}"`);
  });
});

/** A sample record as tripod writes it, with one frame at `url`. */
function sampleLine(seq: number, fn: string, url: string): string {
  const file = url.replace(/^file:\/\//, '');
  return JSON.stringify({
    level: 30,
    time: 1_790_000_000_000 + seq,
    pid: 4242,
    hostname: 'h',
    event: 'sample',
    seq,
    capturedAt: 1_790_000_000_000 + seq,
    state: 'running',
    stoppedMs: 1,
    captureMs: 1,
    frames: [{ function: fn, url, line: 1, column: 1 }],
    stack: `    at ${fn} (${file}:1:1)`,
  });
}

describe.each(nodes)('terminal escapes in tripod\'s own error lines, $label', ({ bin }) => {
  it('escapes a target executable\'s name that holds ESC and BEL when it refuses the process', async () => {
    // Not Node: tripod says so in one line that quotes the executable's name, which its owner chose.
    const dir = tempDir();
    const exe = path.join(dir, 'evil\x1b]0;pwned\x07\x1b[2J');
    writeFileSync(exe, readFileSync('/bin/sleep'), { mode: 0o755 });
    const target = start(exe, ['30']);
    try {
      const result = await tripod(bin, ['dump', String(target.pid)]);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('evil\\x1B]0;pwned\\x07');
      expect(controlCharacters(result.stderr)).toEqual([]);
    } finally {
      target.kill('SIGKILL');
    }
  });
});

describe.each(nodes)('files that frames and source maps name, $label', ({ bin }) => {
  it('tripod report reads no device or FIFO a frame names, and ends', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'frame.fifo');
    execFileSync('mkfifo', [fifo]);
    const log = path.join(dir, 'hostile.log');
    writeFileSync(log, `${[sampleLine(1, 'zero', 'file:///dev/zero'), sampleLine(2, 'fifo', pathToFileURL(fifo).href), sampleLine(3, 'urandom', 'file:///dev/urandom')].join('\n')}\n`);
    const result = await tripod(bin, ['report', log], { killAfterMs: 30_000 });
    expect(result.signal, 'report was killed: it hung or ran away').toBeNull();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('zero (/dev/zero:1)');
    expect(result.stdout).toContain(`fifo (${fifo}:1)`);
  });

  it('source lines are read from regular files only', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'source.fifo');
    execFileSync('mkfifo', [fifo]);
    const regular = path.join(dir, 'plain.js');
    writeFileSync(regular, 'first();\nconst url = "https://ada:pw-1@example.com/";\n');
    const script = `
      const { SourceCache } = require(${JSON.stringify(path.join(ROOT, 'dist', 'capture', 'sources.js'))});
      const cache = new SourceCache();
      const lines = ['file:///dev/zero', ${JSON.stringify(pathToFileURL(fifo).href)}, 'file:///dev/stdin'].map((url) => cache.line(url, 1, 200));
      console.log(JSON.stringify({ lines, plain: cache.line(${JSON.stringify(pathToFileURL(regular).href)}, 2, 200) }));`;
    const result = await run(bin, ['-e', script], { killAfterMs: 30_000 });
    expect(result.signal, 'reading a source line hung').toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const { lines, plain } = JSON.parse(result.stdout);
    expect(lines).toEqual([null, null, null]);
    expect(plain).toBe('const url = "https://ada:[redacted]@example.com/";');
  });

  it('--profile on a script whose sourceMappingURL names a FIFO ends normally', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [path.join(dir, 'map.fifo')]);
    const script = path.join(dir, 'mapped-fifo.js');
    writeFileSync(script, `${readFileSync(fixture('report-fifo-map.js'), 'utf8')}\n//# sourceMappingURL=map.fifo\n`);
    const log = path.join(dir, 'run.log');
    const result = await tripod(bin, ['-q', '--profile', '--log', log, script], { killAfterMs: 40_000 });
    expect(result.signal, 'tripod --profile hung on the FIFO').toBeNull();
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    expect(records.filter((r) => r.event === 'profile').length).toBeGreaterThan(0);
    expect(records.at(-1)!.event).toBe('end');
  });
});

/** The highest resident set size seen while polling /proc/<pid>/status, in MB. */
function watchRss(pid: number): { stop(): number } {
  let most = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      most = Math.max(most, kb / 1024);
    } catch {
      // Gone: it ended.
    }
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      return most;
    },
  };
}

describe.each(nodes)('a log line without end, $label', ({ bin }) => {
  it('tripod show skips a 600 MB line without holding it, and shows the record after it', { timeout: 180_000 }, async () => {
    const record = sampleLine(1, 'afterTheFlood', 'file:///srv/app.js');
    const child = start(bin, [TRIPOD, 'show', '--no-color', '-']);
    const rss = watchRss(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    // A reader that holds the line can stall or die past V8's string limit: it is killed rather than waited for.
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const finished = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      }),
    );
    child.stdin!.on('error', () => {});
    const megabyte = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 600; i++) if (!child.stdin!.write(megabyte)) await new Promise((resolve) => child.stdin!.once('drain', resolve));
    child.stdin!.end(`\n${record}\n`);
    const result = await finished;
    const mostMb = rss.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('tripod: skipped 1 lines that were not tripod records\n');
    expect(result.stdout).toContain('at afterTheFlood (/srv/app.js:1:1)');
    // The line is dropped as it arrives: far below its 600 MB (a Node process starts at ~50 MB).
    expect(mostMb).toBeLessThan(300);
  });
});
