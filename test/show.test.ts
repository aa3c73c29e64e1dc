import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { SAMPLES, tempDir, tempLog, tripod } from './helpers/cli';

const nodes = inject('nodes');

describe.each(nodes)('tripod show, $label', ({ bin }) => {
  let log: string;
  beforeAll(async () => {
    log = tempLog();
    await tripod(bin, ['-q', '--interval', '0.3', '--log', log, path.join(SAMPLES, 'secrets.js')]);
  });

  it('renders the stack, then the full backtrace with arguments and locals', async () => {
    const result = await tripod(bin, ['show', '--no-color', log]);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/INFO: tripod \S+ started .*secrets\.js/);
    expect(out).toMatch(/sample #1 running, main thread stopped \d+\.\d ms\n {4}at login \(.*secrets\.js:\d+:\d+\)/);
    expect(out).toContain('Full backtrace with local variables:');
    expect(out).toContain("Arguments: login(user='ada', password='[redacted]', apiKey='[redacted]')");
    expect(out).toMatch(/Local variables:\n\n\s+\{\n\s+session: \{/);
    expect(out).toContain("Authorization: '[redacted]'");
    expect(out).toMatch(/ended \(exit code 0\), \d+ samples/);
  });

  it('reads grep\'s output on stdin, with or without file-name prefixes', async () => {
    const matches = execFileSync('grep', ['login', log], { encoding: 'utf8' });
    const result = await tripod(bin, ['show', '--no-color'], { input: matches });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('at login (');
    expect(result.stdout).not.toContain('started');
    const prefixed = execFileSync('grep', ['-H', 'login', log], { encoding: 'utf8' });
    const again = await tripod(bin, ['show', '--no-color', '-'], { input: prefixed });
    expect(again.stdout).toContain('at login (');
  });

  it('refuses what is not a tripod log, and a missing file, in one line', async () => {
    const junk = path.join(tempDir(), 'junk.txt');
    writeFileSync(junk, 'hello\nworld\n');
    const notLog = await tripod(bin, ['show', junk]);
    expect(notLog.code).toBe(1);
    expect(notLog.stderr).toMatch(/^tripod: .*junk\.txt is not a tripod log .*\n$/);
    const missing = await tripod(bin, ['show', '/no/such.log']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('tripod: no such log /no/such.log; give the path tripod printed at start\n');
  });

  it('still shows the whole records of a log whose last line was cut short', async () => {
    const cut = path.join(tempDir(), 'cut.log');
    const text = execFileSync('cat', [log], { encoding: 'utf8' });
    writeFileSync(cut, text.slice(0, text.length - 40));
    const result = await tripod(bin, ['show', '--no-color', cut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('at login (');
    expect(result.stderr).toBe('tripod: skipped 1 lines that were not tripod records\n');
  });
});
