/**
 * What the preload agent and `tripod dump` agree on: where the agent listens and
 * what it says. The agent listens on a Unix socket in the user's runtime
 * directory (mode 0700), itself mode 0600: only the owner (and root) can reach it.
 * Loaded into every target that uses the agent, so it needs nothing beyond node:*.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface AgentRequest {
  op: 'open';
}

export type AgentReply =
  /** `session`: the socket where a relay to the main thread's inspector now listens for one connection. */
  | { ok: true; session: string; node: string; argv: string[] }
  | { ok: false; error: string; noInspector?: boolean };

/** The agent's relay worker; tripod never captures it. */
export { AGENT_WORKER_NAME } from '../threads/own-workers';
/** How long a relay waits for tripod to connect before it goes away. */
export const SESSION_CONNECT_WAIT_MS = 10_000;

/** $XDG_RUNTIME_DIR/tripod, or <tmpdir>/tripod-<uid> where there is no runtime directory. */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR;
  return base && path.isAbsolute(base) ? path.join(base, 'tripod') : path.join(tmpdir(), `tripod-${process.getuid?.() ?? 'user'}`);
}

/** Creates the directory 0700, and refuses one that someone else owns or others can enter. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) throw new Error(`${dir} is not a directory of this user`);
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export function agentSocketPath(dir: string, pid: number): string {
  return path.join(dir, `tripod-agent-${pid}.sock`);
}

export function isAgentSocketOf(socketPath: string, pid: number): boolean {
  return path.basename(socketPath) === `tripod-agent-${pid}.sock`;
}

export function sessionSocketPath(dir: string, pid: number, token: string): string {
  return path.join(dir, sessionSocketName(pid, token));
}

/** The socket of a relay started by the upgrade of a SIGUSR1 attach (upgrade.ts): tripod finds it by this name in the target's socket table. */
export function upgradeSocketName(pid: number, token: string): string {
  return `tripod-relay-${pid}-${token}.sock`;
}

/** A template, not path.join: the agent names a session on the program's thread, where Node's path code calls Array.prototype.push. */
export function sessionSocketName(pid: number, token: string): string {
  return `tripod-session-${pid}-${token}.sock`;
}
