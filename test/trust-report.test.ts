/**
 * Issue 10 items 6, 19 and 20: what tripod show, dump and report print and read.
 * 6: a target's strings with ESC, BEL, CSI and OSC sequences come out escaped.
 * 19: frames and source maps naming devices and FIFOs are not read.
 * 20: records with fields of the wrong type are skipped and counted; the rest renders.
 */
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { FIXTURES, tempLog, tripod } from './helpers/cli';
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
