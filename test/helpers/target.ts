/**
 * Targets for the attach tests: real Node processes started here, and checks on
 * them from outside (their inspector port, their sockets, their liveness).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tcpListeners, unixListeners } from '../../src/attach/proc-sockets';
import { childEnv, ROOT } from './cli';

export interface Target {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The inspector port the target announced on stderr ("Debugger listening on ws://127.0.0.1:PORT/…"). */
  inspectorPort(): number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): void;
}

const live = new Set<ChildProcess>();

export function startTarget(bin: string, args: string[], env: Record<string, string> = {}): Target {
  const child = spawn(bin, args, { cwd: ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (!match) return false;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`no ${pattern} on stdout within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)), timeoutMs);
        if (!check()) child.stdout!.on('data', check);
      });
    },
    inspectorPort() {
      const ports = [...err.matchAll(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//g)].map((m) => Number(m[1]));
      return ports.at(-1);
    },
    exited,
    stop() {
      child.kill('SIGKILL');
    },
  };
}

/** How many threads the process has (/proc/PID/task). */
export function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

export function stopAllTargets(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** Whether a TCP connection to 127.0.0.1:port is refused (nothing listens there). */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve(true) : reject(error)));
  });
}

/** Polls until the port refuses connections, up to `ms`. */
export async function waitUntilClosed(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await connectionRefused(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return connectionRefused(port);
}

/** The path of the agent's socket that `pid` listens on, from /proc/<pid>/net/unix. */
export function agentSocket(pid: number): string | undefined {
  return unixListeners(pid).find((socketPath) => socketPath.endsWith(`tripod-agent-${pid}.sock`));
}

/** TCP ports `pid` listens on, from /proc (its fds' socket inodes in /proc/<pid>/net/tcp*); throws once the process is gone. */
export function listeningPorts(pid: number): number[] {
  // tripod's reader answers [] for a process it cannot see: callers here tell a gone process from one with no port.
  statSync(`/proc/${pid}/fd`);
  return tcpListeners(pid).map((listener) => listener.port);
}

/** A port that something (this test) holds, so a target cannot open its inspector there. */
export function holdPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server }));
  });
}

/** Sends "report" to the ticker fixture and reads its answer. */
export async function tickerReport(target: Target): Promise<{ ticks: number; maxLateMs: number }> {
  const before = target.stdout().length;
  target.child.stdin!.write('report\n');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = target.stdout().slice(before).split('\n').find((l) => l.startsWith('{'));
    if (line) return JSON.parse(line);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the ticker did not report');
}

/** Inspector listeners of `pid`: its TCP listeners other than `others` (the program's own ports). */
export function inspectorPorts(pid: number, others: number[] = []): number[] {
  try {
    return listeningPorts(pid).filter((port) => !others.includes(port));
  } catch {
    return []; // the process is gone
  }
}

/** A target fixture that answers the line `state` on its stdin with one JSON line: that line, parsed. */
export async function stateOf(target: Target): Promise<Record<string, any>> {
  const before = target.stdout().length;
  target.child.stdin!.write('state\n');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const line = target.stdout().slice(before).split('\n').find((l) => l.startsWith('{'));
    if (line) return JSON.parse(line);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no state; stderr: ${target.stderr()}`);
}

/** Polls `check` until it holds or `ms` pass; the last answer. */
export async function eventually(check: () => boolean | Promise<boolean>, ms: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return check();
}

/** Pids of tripod's guardians watching `pid` (node …/guardian.js PID …), from /proc. */
export function guardiansOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('guardian.js')) && argv.includes(String(pid))) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
