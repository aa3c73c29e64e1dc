import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SAMPLES, readLog, samplesOf, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');
const BUSY = path.join(SAMPLES, 'busy_loop.js');

describe.each(nodes)('the log, $label', ({ bin }) => {
  it('is a fresh 0600 temp file named after the script, as the banner says', async () => {
    const result = await tripod(bin, ['--interval', '0.3', BUSY], { env: { BUSY_SECONDS: '1' } });
    const file = /Writing output to: (\S+)/.exec(result.stderr)![1];
    expect(path.basename(file)).toMatch(/^tripod-busy_loop-\w{6}\.log$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readLog(file)[0]).toMatchObject({ event: 'start' });
  });

  it('appends to TRIPOD_LOG, one pino line per record, start to end', async () => {
    const log = tempLog();
    // 0600: an existing log others could read is refused (README, "The log").
    writeFileSync(log, '', { mode: 0o600 });
    await tripod(bin, ['-q', '--interval', '0.3', BUSY, 'x'], { env: { BUSY_SECONDS: '1', TRIPOD_LOG: log } });
    await tripod(bin, ['-q', '--interval', '0.3', BUSY, 'y'], { env: { BUSY_SECONDS: '1', TRIPOD_LOG: log } });
    const records = readLog(log);
    expect(records.filter((r) => r.event === 'start')).toHaveLength(2);
    const [start] = records;
    expect(start).toMatchObject({
      level: 30,
      msg: 'start',
      pid: expect.any(Number),
      node: expect.stringMatching(/^v\d+/),
      script: BUSY,
      argv: [expect.any(String), BUSY, 'x'],
      interval: 0.3,
      tripod: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    const ends = records.filter((r) => r.event === 'end');
    expect(ends).toHaveLength(2);
    const firstRun = records.slice(0, records.indexOf(ends[0]) + 1);
    expect(ends[0]).toMatchObject({ exitCode: 0, samples: samplesOf(firstRun).length });
    const sample = samplesOf(records)[0];
    expect(sample).toMatchObject({ msg: 'sample', seq: 1, state: 'running', capturedAt: expect.any(Number), stoppedMs: expect.any(Number), captureMs: expect.any(Number) });
  });

  it('lets grep find whole samples by file:line and by function name', async () => {
    const log = tempLog();
    await tripod(bin, ['-q', '--interval', '0.25', '--log', log, BUSY], { env: { BUSY_SECONDS: '1.5' } });
    const sample = samplesOf(readLog(log)).find((s) => s.state === 'running')!;
    const top = sample.frames[0];
    const needle = `busy_loop.js:${top.line}:`;
    const byLine = execFileSync('grep', ['-F', needle, log], { encoding: 'utf8' }).trim().split('\n');
    const byName = execFileSync('grep', ['-F', top.function, log], { encoding: 'utf8' }).trim().split('\n');
    for (const line of [...byLine, ...byName]) expect(JSON.parse(line)).toMatchObject({ event: 'sample' });
    expect(readFileSync(log, 'utf8')).toContain(`at ${top.function} (${BUSY}:${top.line}:${top.column})`);
  });
});
