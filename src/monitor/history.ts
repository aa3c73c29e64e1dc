/**
 * The console's history, kept between sessions in a file only its owner reads
 * (0600): $XDG_STATE_HOME/tripod/monitor_history, else ~/.tripod_monitor_history.
 * Commands can hold secrets (an eval with a token): the file is never wider.
 */
import { appendFileSync, chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

export const HISTORY_SIZE = 1000;

export function historyPath(env: Record<string, string | undefined>): string {
  if (env.XDG_STATE_HOME) return path.join(env.XDG_STATE_HOME, 'tripod', 'monitor_history');
  return path.join(env.HOME || homedir(), '.tripod_monitor_history');
}

/** Newest first, as readline takes it. */
export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

export function appendHistory(file: string, line: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch {
    // No history is no reason to stop the console.
  }
}
