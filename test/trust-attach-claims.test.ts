/**
 * The attach lock and the marker (src/attach/target-claims.ts) in a private
 * runtime directory, with real processes as targets and holders: a live holder
 * keeps the lock, a dead one's lock is taken over, a reused pid never matches.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachLock, hasMarker, isRunning, lockHeldByOther, processId, pruneClaims, removeMarker, writeMarker } from '../src/attach/target-claims';
import { tempDir } from './helpers/cli';

const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function sleeper() {
  const child = spawn('sleep', ['30']);
  children.push(child);
  return processId(child.pid!)!;
}

async function deadProcess() {
  const child = spawn('true');
  const id = processId(child.pid!) ?? { pid: child.pid!, startTime: '1' };
  await new Promise((resolve) => child.on('exit', resolve));
  return id;
}

describe('attach claims', () => {
  it('holds the lock while a holder lives, names it when it cannot get it, and takes a dead holder\'s lock over', async () => {
    const dir = tempDir();
    const target = sleeper();
    const holder = sleeper();
    const file = path.join(dir, `attach-${target.pid}-${target.startTime}.lock`);
    writeFileSync(file, `${holder.pid} ${holder.startTime}\n`);
    await expect(AttachLock.acquire(target, 200, dir)).rejects.toThrow(new RegExp(`another tripod \\(pid ${holder.pid}\\) is attached to process ${target.pid}`));
    expect(AttachLock.tryAcquire(target, dir)).toBeUndefined();
    expect(lockHeldByOther(target, processId(process.pid)!, dir)).toBe(true);
    // The same pid with another start time is another process: its lock is stale.
    writeFileSync(file, `${holder.pid} 1\n${(await deadProcess()).pid} 1\n`);
    const lock = await AttachLock.acquire(target, 200, dir);
    expect(lockHeldByOther(target, processId(process.pid)!, dir)).toBe(false);
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('keeps markers of live processes only', async () => {
    const dir = tempDir();
    const live = sleeper();
    const dead = await deadProcess();
    writeMarker(live, 9229, dir);
    writeMarker(dead, 9229, dir);
    expect(hasMarker(live, dir) && hasMarker(dead, dir)).toBe(true);
    pruneClaims(dir);
    expect(hasMarker(live, dir)).toBe(true);
    expect(hasMarker(dead, dir)).toBe(false);
    expect(isRunning(live)).toBe(true);
    removeMarker(live, dir);
    expect(readdirSync(dir)).toEqual([]);
  });
});
