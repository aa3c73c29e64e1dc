/**
 * The stack probe's first install in a process tripod did not start (reached by
 * SIGUSR1, no agent) calls none of the program's code: a program that replaced,
 * with counting wrappers, everything a script installing it in the program's
 * realm would call (Object.getOwnPropertyDescriptor, Object.freeze,
 * Object.defineProperty, process.getBuiltinModule, node:vm's createContext and
 * runInContext, process.getActiveResourcesInfo, a getter on Object.prototype for
 * the holder's name) counts 0 calls over three dumps, under every test Node.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FIXTURES, tempLog, tripod } from './helpers/cli';
import { startTarget, stopAllTargets } from './helpers/target';

const nodes = inject('nodes');
const HOSTILE_INSTALL = path.join(FIXTURES, 'hostile-probe-install.js');

afterEach(() => stopAllTargets());

describe.each(nodes)('the stack probe installed by an attach runs none of the program\'s code, $label', ({ bin }) => {
  it('dumps a program that replaced what an install in its realm would call, twice running and once idle, 0 calls', async () => {
    const stopFile = `${tempLog()}.stop`;
    const target = startTarget(bin, ['--inspect-port=0', HOSTILE_INSTALL], { TRACE_CALLS: '1', BUSY_MS: '60000', IDLE_MS: '2500', STOP_FILE: stopFile });
    await target.waitFor(/ready/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The first dump installs the holder, the second finds it there.
    for (const dump of ['first', 'second']) {
      const result = await tripod(bin, ['dump', String(target.pid)]);
      expect(result.code, `${dump} dump: ${result.stderr}`).toBe(0);
      expect(result.stdout, `${dump} dump`).toMatch(/at work \(.*hostile-probe-install\.js:\d+:\d+\)/);
    }
    writeFileSync(stopFile, '');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Idle: the probe asks what the loop waits on, through Node's native, never the program's wrapper.
    const idle = await tripod(bin, ['dump', String(target.pid)]);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stdout).toMatch(/"main": idle \(event loop waiting on [^)]*Timeout/);
    const exit = await target.exited;
    expect(exit.code).toBe(0);
    expect(target.stdout().trim().split('\n').at(-1), target.stderr()).toBe('calls 0');
  });
});
