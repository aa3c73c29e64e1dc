/**
 * In-process checks of how a program found by name is recognised as Node's: its
 * `#!` line, and where TypeScript may run. Pure code: no process is started.
 */
import { describe, expect, it } from 'vitest';
import { checkTypeScriptRuns, isBareName, isNodeShebang } from '../src/run/find-program';

describe('isNodeShebang', () => {
  it.each([
    '#!/usr/bin/env node\n',
    '#!/usr/bin/node\r\nconsole.log(1)',
    '#!/usr/local/bin/nodejs --max-old-space-size=100\n',
    '#!/usr/bin/env -S node --no-warnings --enable-source-maps\n',
    '#! /usr/bin/env NODE_ENV=production node\n',
    '#!/opt/node20/bin/node20\n',
  ])('takes %j for node', (head) => {
    expect(isNodeShebang(Buffer.from(head))).toBe(true);
  });

  it.each(['#!/bin/sh\n', '#!/usr/bin/env bash\n', '#!/usr/bin/env -S bun run\n', '#!/usr/bin/env\n', '#!\n', 'console.log(1)\n', '\x7fELF\x02\x01', ''])(
    'does not take %j for node',
    (head) => {
      expect(isNodeShebang(Buffer.from(head))).toBe(false);
    },
  );
});

describe('isBareName', () => {
  it('is a name without a directory part', () => {
    expect(isBareName('tsc')).toBe(true);
    expect(isBareName('app.js')).toBe(true);
    expect(isBareName('./tsc')).toBe(false);
    expect(isBareName('bin/tsc')).toBe(false);
    expect(isBareName('..')).toBe(false);
  });
});

describe('checkTypeScriptRuns', () => {
  it('refuses .ts, .mts and .cts only where this Node does not strip types', () => {
    for (const file of ['/a/app.ts', '/a/app.mts', '/a/app.cts']) {
      expect(() => checkTypeScriptRuns(file, {})).toThrow(/cannot run TypeScript .*Node 22\.18\+ or 23\.6\+/);
      expect(() => checkTypeScriptRuns(file, { typescript: 'strip' })).not.toThrow();
    }
    expect(() => checkTypeScriptRuns('/a/app.js', {})).not.toThrow();
  });
});
