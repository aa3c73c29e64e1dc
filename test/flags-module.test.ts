/**
 * tripod/flags as a program loads it: nothing else of tripod comes with it, two
 * copies of tripod in one program share one registry, and a program that ships
 * without tripod runs on behind a guarded require.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ROOT, run, tempDir } from './helpers/cli';

const nodes = inject('nodes');
const FLAGS = path.join(ROOT, 'dist', 'flags', 'index.js');

describe.each(nodes)('tripod/flags, $label', ({ bin }) => {
  it('loads only its own files: no pino, no worker, no other module of tripod or of node', async () => {
    const script = `
      const before = new Set(Object.keys(require.cache));
      const { flag } = require(${JSON.stringify(FLAGS)});
      flag('x', 1);
      const loaded = Object.keys(require.cache).filter((m) => !before.has(m));
      const { isMainThread } = require('node:worker_threads');
      console.log(JSON.stringify({ loaded, handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap'), isMainThread }));`;
    const result = await run(bin, ['-e', script]);
    expect(result.code, result.stderr).toBe(0);
    const { loaded, handles } = JSON.parse(result.stdout);
    expect(loaded.map((file: string) => path.relative(ROOT, file)).sort()).toEqual(['dist/flags/index.js']);
    expect(handles).toEqual([]);
  });

  it('shares one registry between two copies of tripod in a program', async () => {
    const dir = tempDir();
    for (const copy of ['a', 'b']) cpSync(path.join(ROOT, 'dist', 'flags'), path.join(dir, copy), { recursive: true });
    const script = `
      const a = require(${JSON.stringify(path.join(dir, 'a', 'index.js'))});
      const b = require(${JSON.stringify(path.join(dir, 'b', 'index.js'))});
      const one = a.flag('shared', 1);
      console.log(String(b.flag('shared', 5) === one));
      try { b.flag('shared', 'text'); } catch (error) { console.log(error.message); }`;
    const result = await run(bin, ['-e', script]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('true');
    expect(result.stdout.split('\n')[1]).toBe('tripod/flags: flag "shared" is registered already as a number (by [eval]); [eval] registers it as a string: give one of them another name');
  });

  it('runs on without tripod installed, behind the guarded require README shows', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(
      path.join(dir, 'app', 'main.js'),
      `let flag;
try {
  ({ flag } = require('tripod/flags'));
} catch {
  flag = (name, value) => ({ value, default: value, name, onChange() {} });
}
const verbose = flag('verbose', false);
console.log('verbose is', verbose.value);`,
    );
    const result = await run(bin, [path.join(dir, 'app', 'main.js')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('verbose is false\n');
  });
});
