/**
 * The one-way imports of the recording core, read from the sources: the data
 * model imports nothing else of tripod, frames only the model, the log no
 * options or watchdog types (its header fields are its own), and the target's
 * threads none of the commands that share them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');

/** The tripod modules a folder's files import, as paths below src/ ("record/sample"). */
function importsOf(folder: string): Array<{ file: string; target: string }> {
  const dir = path.join(SRC, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8');
      const specifiers = [...text.matchAll(/(?:from|require\()\s*'(\.[^']+)'/g)].map((match) => match[1]);
      return specifiers.map((specifier) => ({ file: `${folder}/${name}`, target: path.relative(SRC, path.resolve(dir, specifier)) }));
    });
}

const outside = (folder: string, allowed: string[]) => importsOf(folder).filter(({ target }) => !allowed.some((home) => target.startsWith(`${home}/`)));

describe('layering', () => {
  it('finds the imports it checks (a reader that sees none proves nothing)', () => {
    expect(importsOf('record').length).toBeGreaterThan(0);
    expect(importsOf('log').some(({ target }) => target === 'record/records')).toBe(true);
  });

  it('keeps the data model at the bottom: src/record/ imports only itself', () => {
    expect(outside('record', ['record'])).toEqual([]);
  });

  it('lets frame text and source maps import only the model', () => {
    expect(outside('frames', ['frames', 'record'])).toEqual([]);
  });

  it('keeps the threads both the runner and record PID reach free of either: src/threads/ imports neither run/ nor attach/', () => {
    expect(importsOf('threads').length).toBeGreaterThan(0);
    expect(importsOf('threads').filter(({ target }) => target.startsWith('run/') || target.startsWith('attach/'))).toEqual([]);
  });

  it('keeps tripod/flags, which programs load, free of the rest of tripod: src/flags/ imports nothing of it', () => {
    expect(readdirSync(path.join(SRC, 'flags'))).toContain('index.ts');
    expect(importsOf('flags')).toEqual([]);
  });

  it('keeps options and the watchdog out of the log', () => {
    expect(importsOf('log').filter(({ target }) => target === 'config' || target.startsWith('watchdog/') || target.startsWith('options/'))).toEqual([]);
  });
});
