/**
 * `tripod logs` and `tripod show --last`, with TMPDIR pointed at a folder of the
 * test's own: only the caller's own tripod logs count (not a symbolic link, not
 * another user's file, not a file of another kind), oldest first, and --clean
 * DAYS removes only those of them last written over DAYS days ago.
 */
import { chownSync, existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, readLog, tempDir, tripod } from './helpers/cli';

const nodes = inject('nodes');
const ARGV = path.join(FIXTURES, 'argv.js');
const ENDING = path.join(FIXTURES, 'ending.js');

/** The folder's tripod logs, by name. */
function logNames(dir: string): string[] {
  return readdirSync(dir).filter((name) => /^tripod-.*\.log$/.test(name)).sort();
}

describe.each(nodes)('tripod logs and show --last, $label', ({ bin }) => {
  let dir: string;
  let older: string;
  let newer: string;
  let decoys: string[];
  beforeEach(async () => {
    dir = tempDir();
    const env = { TMPDIR: dir };
    expect((await tripod(bin, ['--interval', '0.5', ARGV], { env })).code).toBe(0);
    [older] = logNames(dir).map((name) => path.join(dir, name));
    expect((await tripod(bin, ['--interval', '0.5', ENDING, 'exit-code'], { env })).code).toBe(3);
    newer = logNames(dir).map((name) => path.join(dir, name)).find((file) => file !== older)!;
    // Named as tripod names its logs, but not the caller's own tripod logs.
    const elsewhere = path.join(tempDir(), 'real.log');
    writeFileSync(elsewhere, `${JSON.stringify(readLog(older)[0])}\n`);
    const link = path.join(dir, 'tripod-linked-AAAAAA.log');
    symlinkSync(elsewhere, link);
    const garbage = path.join(dir, 'tripod-garbage-BBBBBB.log');
    writeFileSync(garbage, 'not a log\n');
    decoys = [link, garbage, elsewhere];
    // Only root can make a file of another user's here; the suite runs as root.
    if (process.getuid?.() === 0) {
      const theirs = path.join(dir, 'tripod-theirs-CCCCCC.log');
      writeFileSync(theirs, `${JSON.stringify(readLog(older)[0])}\n`);
      chownSync(theirs, 4321, 4321);
      decoys.push(theirs);
    }
    mkdirSync(path.join(dir, 'tripod-folder-DDDDDD.log'));
  });

  it('lists the caller\'s temp logs oldest first, with start time, pid, size and script', async () => {
    const result = await tripod(bin, ['logs'], { env: { TMPDIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^started +pid +size +script +log$/);
    expect(lines).toHaveLength(4);
    const [start1, start2] = [readLog(older)[0], readLog(newer)[0]];
    expect(lines[1]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d [\\d:.]+ +${start1.pid} +[\\d.]+ (B|kB) +${ARGV} +${older}$`));
    expect(lines[2]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d [\\d:.]+ +${start2.pid} +[\\d.]+ (B|kB) +${ENDING} +${newer}$`));
    expect(lines[3]).toMatch(new RegExp(`^2 logs, [\\d.]+ kB in ${dir}; tripod logs --clean DAYS removes those older than DAYS$`));
  });

  it('shows the newest with show --last, and says which', async () => {
    const result = await tripod(bin, ['show', '--last', '--no-color', '--event', 'start'], { env: { TMPDIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`started ${ENDING} exit-code`);
    expect(result.stderr).toBe(`tripod: showed ${newer}\n`);
    const both = await tripod(bin, ['show', '--last', older], { env: { TMPDIR: dir } });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(`tripod show: --last shows the newest tripod log in $TMPDIR, and ${JSON.stringify(older)} names a log too; give one of them\n`);
  });

  it('--clean DAYS removes only the caller\'s logs last written over DAYS days ago, and says what it removed', async () => {
    const threeDaysAgo = (Date.now() - 3 * 86_400_000) / 1000;
    utimesSync(older, threeDaysAgo, threeDaysAgo);
    for (const decoy of decoys) if (!decoy.endsWith('linked-AAAAAA.log')) utimesSync(decoy, threeDaysAgo, threeDaysAgo);
    const none = await tripod(bin, ['logs', '--clean', '5'], { env: { TMPDIR: dir } });
    expect(none.stdout).toBe(`no tripod log of yours in ${dir} was last written over 5 days ago; 2 kept\n`);
    const result = await tripod(bin, ['logs', '--clean', '1'], { env: { TMPDIR: dir } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^removed ${older} \\(${ARGV}, pid \\d+, [\\d.]+ (B|kB)\\)\\nremoved 1 log \\([\\d.]+ (B|kB)\\); 1 newer kept\\n$`));
    expect(existsSync(older)).toBe(false);
    expect(existsSync(newer)).toBe(true);
    for (const decoy of decoys) expect(existsSync(decoy), decoy).toBe(true);
    expect(existsSync(path.join(dir, 'tripod-folder-DDDDDD.log'))).toBe(true);
    const bad = await tripod(bin, ['logs', '--clean', 'soon'], { env: { TMPDIR: dir } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('tripod: --clean="soon" is not a number of days from 0 to 36500; use e.g. 30\n');
  });
});

describe.each(nodes)('tripod logs with none, $label', ({ bin }) => {
  it('says there is none, and show --last exits 1 in one line', async () => {
    const dir = tempDir();
    const listed = await tripod(bin, ['logs'], { env: { TMPDIR: dir } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(`no tripod log of yours in ${dir}\n`);
    const shown = await tripod(bin, ['show', '--last'], { env: { TMPDIR: dir } });
    expect(shown.code).toBe(1);
    expect(shown.stderr).toBe(`tripod show: no tripod log of yours in ${dir}; run tripod script.js first, or name a log (tripod show LOG)\n`);
  });
});
