/**
 * `tripod record PID --children` and `tripod dump PID --children` on real process trees (test/fixtures/
 * process-tree.js, started with --inspect-port=0, which its forked children inherit): children started after
 * recording began are followed, each through its own attach, tagged with its pid, with its own start (ppid) and
 * end records; a shell child is listed and left alone; the tree's processes are left as they were — no
 * inspector port and no guardian left behind, exit codes as plain node.
 */
import * as path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { descendantsOf } from '../src/attach/process-tree';
import { FIXTURES, finish, readLog, samplesOf, start, TRIPOD, tempLog, tripod, type LogRecord } from './helpers/cli';
import { eventually, guardiansOf, inspectorPorts, startTarget, stopAllTargets, type Target } from './helpers/target';

const nodes = inject('nodes');
const TREE = path.join(FIXTURES, 'process-tree.js');
/** The guardian's wait for a port, plus a wide margin for a loaded machine. */
const CLOSE_WITHIN_MS = 15_000;

let targets: Target[] = [];
afterEach(() => {
  for (const target of targets) for (const { pid } of descendantsOf(target.pid).reverse()) killQuietly(pid);
  targets = [];
  stopAllTargets();
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function startTree(bin: string, mode?: 'hold'): Target {
  const target = startTarget(bin, ['--inspect-port=0', TREE, ...(mode ? [mode] : [])]);
  targets.push(target);
  return target;
}

/**
 * Every process of the tree has no inspector listening (and, after a clean detach, no guardian), and none
 * comes back for a moment. A guardian that closed what a killed tripod left may stay to watch (trust-attach).
 */
async function leftAsItWas(pids: number[], { guardians = true } = {}): Promise<void> {
  const closed = () => pids.every((pid) => inspectorPorts(pid).length === 0 && (!guardians || guardiansOf(pid).length === 0));
  expect(await eventually(closed, CLOSE_WITHIN_MS)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(pids.map((pid) => inspectorPorts(pid))).toEqual(pids.map(() => []));
}

const startsOf = (records: LogRecord[]) => records.filter((r) => r.event === 'start');
const endsOf = (records: LogRecord[]) => records.filter((r) => r.event === 'end');

describe.each(nodes)('tripod record PID --children, $label', ({ bin }) => {
  it('follows two children forked after recording began, each tagged, with start and end records, and lets a shell child be', async () => {
    const target = startTree(bin);
    await target.waitFor(/ready/);
    const log = tempLog();
    const recorder = start(bin, [TRIPOD, 'record', String(target.pid), '--children', '--interval', '0.1', '--duration', '30', '-o', log]);
    const done = finish(recorder, { killAfterMs: 60_000 });
    expect(await eventually(() => startsOf(safeLog(log)).length === 1, 20_000, 50)).toBe(true);
    target.child.stdin!.write('go\n');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(await target.exited).toEqual({ code: 0, signal: null });
    expect(target.stdout()).toBe('ready\nchildren exited 0 3\n');

    const records = readLog(log);
    const children = startsOf(records).filter((r) => r.ppid !== undefined);
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(child).toMatchObject({ ppid: target.pid, attached: { pid: child.pid, via: 'signal' } });
      expect(child.argv.slice(-2)).toEqual(['child', expect.stringMatching(/^[03]$/)]);
      const own = samplesOf(records).filter((s) => s.pid === child.pid);
      expect(own.length, `samples of ${child.pid}`).toBeGreaterThanOrEqual(1);
      expect(own.some((s) => s.frames.some((f: { function: string }) => f.function === 'childWork')), `childWork in ${child.pid}`).toBe(true);
      expect(endsOf(records).find((r) => r.pid === child.pid)).toMatchObject({ detached: 'target exited', samples: own.length });
    }
    expect(samplesOf(records).filter((s) => s.pid === target.pid).length).toBeGreaterThanOrEqual(3);
    // The children's end records come first; the target's counts them.
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: target.pid, detached: 'target exited', processes: 3, threads: 3 });
    expect(result.stderr).toMatch(/\[tripod\] process \d+ \(child of \d+\) not followed: not Node\.js \((sh|dash|bash|sleep)\), left alone\n/);
    expect(result.stderr).toMatch(new RegExp(`\\[tripod\\] following process ${children[0].pid} \\(child of ${target.pid}\\): `));

    const report = await tripod(bin, ['report', '--by', 'process', log]);
    expect(report.stdout.match(/^== process \d+/gm)).toEqual([target.pid, ...children.map((c) => c.pid).sort((a, b) => a - b)].map((pid) => `== process ${pid}`));
    const show = await tripod(bin, ['show', '--no-color', '--pid', String(children[0].pid), '--event', 'start', log]);
    expect(show.stdout).toContain(`── process ${children[0].pid} (node process-tree.js child `);
  });

  it('records a running tree (child, grandchild, child) for --duration, then leaves every process as it was', async () => {
    const target = startTree(bin, 'hold');
    await target.waitFor(/ready/);
    const log = tempLog();
    const result = await tripod(bin, ['record', String(target.pid), '--children', '--interval', '0.1', '--duration', '4', '-o', log], { killAfterMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const records = readLog(log);
    const followed = startsOf(records).filter((r) => r.ppid !== undefined);
    expect(followed).toHaveLength(3);
    const grandchild = followed.find((r) => r.ppid !== target.pid)!;
    expect(followed.map((r) => r.pid)).toContain(grandchild.ppid);
    for (const child of followed) expect(endsOf(records).find((r) => r.pid === child.pid)).toMatchObject({ detached: 'duration' });
    expect(records.at(-1)).toMatchObject({ event: 'end', pid: target.pid, detached: 'duration', processes: 4, threads: 4 });
    const pids = [target.pid, ...followed.map((r) => r.pid)];
    await leftAsItWas(pids);
    target.child.stdin!.write('end\n');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });
});

describe.each(nodes)('tripod record PID --children killed, $label', ({ bin }) => {
  it("leaves every process of the tree as it was when tripod is killed by SIGKILL while it records it (ports closed by the upgrade, relays gone with the connection)", async () => {
    const target = startTree(bin, 'hold');
    await target.waitFor(/ready/);
    const log = tempLog();
    const recorder = start(bin, [TRIPOD, 'record', String(target.pid), '--children', '--interval', '0.1', '-o', log]);
    const done = finish(recorder, { killAfterMs: 60_000 });
    const sampled = () => new Set(samplesOf(safeLog(log)).map((s) => s.pid)).size;
    expect(await eventually(() => sampled() === 4, 30_000, 50)).toBe(true);
    const pids = [...new Set(samplesOf(safeLog(log)).map((s) => s.pid as number))];
    // A long attach moves each session to the process's relay socket and closes its port (attach/upgrade.ts).
    expect(await eventually(() => pids.every((pid) => inspectorPorts(pid).length === 0), 10_000, 50)).toBe(true);
    recorder.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    await leftAsItWas(pids, { guardians: false });
    target.child.stdin!.write('end\n');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });
});

describe.each(nodes)('tripod dump PID --children, $label', ({ bin }) => {
  it('dumps the tree, children indented under their parent, a shell listed and left alone; nothing left open', async () => {
    const target = startTree(bin, 'hold');
    await target.waitFor(/ready/);
    // Forked before "ready": the dump finds them all (and waits for one still starting to handle SIGUSR1).
    expect(await eventually(() => descendantsOf(target.pid).filter((p) => p.depth === 2).length >= 1, 10_000, 20)).toBe(true);
    const result = await tripod(bin, ['dump', String(target.pid), '--children'], { killAfterMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    // Ends, as every dump does, with its timing line (the target's main thread).
    expect(result.stderr).toMatch(/^ \*\* took \d+\.\d{3} s, main thread (stopped [\d.<]+ ms|not stopped)\n$/m);
    const heads = result.stdout.split('\n').filter((line) => /^\s*Process \d+/.test(line));
    expect(heads[0]).toMatch(new RegExp(`^Process ${target.pid}: node v\\S+ --inspect-port=0 .*process-tree\\.js hold$`));
    const nodeChildren = heads.filter((line) => /process-tree\.js held/.test(line));
    expect(nodeChildren).toHaveLength(3);
    expect(nodeChildren.filter((line) => line.startsWith(`  Process `) && line.includes(`(child of ${target.pid})`))).toHaveLength(2);
    expect(nodeChildren.filter((line) => line.startsWith('    Process '))).toHaveLength(1);
    expect(heads.some((line) => /^ {2}Process \d+ \(child of \d+\): not Node\.js \((sh|dash)\), left alone$/.test(line))).toBe(true);
    expect(result.stdout).toMatch(/\n {2}### Thread 0 "main": idle/);

    const json = await tripod(bin, ['dump', String(target.pid), '--children', '--json'], { killAfterMs: 60_000 });
    expect(json.code, json.stderr).toBe(0);
    const dumps = json.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(dumps.map((d) => d.event)).toEqual(['dump', 'dump', 'dump', 'dump']);
    expect(dumps[0]).toMatchObject({ pid: target.pid, attached: { pid: target.pid } });
    expect(dumps[0].ppid).toBeUndefined();
    expect(dumps.slice(1).every((d) => d.ppid !== undefined && d.attached.pid === d.pid)).toBe(true);
    expect(json.stderr).toMatch(/^tripod: process \d+ \(child of \d+\): not Node\.js \((sh|dash)\), left alone$/m);
    await leftAsItWas(dumps.map((d) => d.pid));
    target.child.stdin!.write('end\n');
    expect(await target.exited).toEqual({ code: 0, signal: null });
  });
});

/** The log as far as it is written (a line being written is left for the next look). */
function safeLog(log: string): LogRecord[] {
  try {
    return readLog(log);
  } catch {
    return [];
  }
}
