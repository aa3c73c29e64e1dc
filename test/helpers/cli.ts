/**
 * Runs the real CLI (bin/tripod.js) as a child process under a chosen Node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TRIPOD = path.join(ROOT, 'bin', 'tripod.js');
export const SAMPLES = path.join(ROOT, 'samples');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** Kill the child after this long; a test that needs it has failed. */
  killAfterMs?: number;
}

/** Settings of the runner's own that would change what a child prints: node flags, colour. */
const INHERITED_NOT = new Set(['NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR']);

/**
 * Environment for children: the test runner's own TRIPOD_* settings do not leak in.
 * Tests sample every fraction of a second, where the default 1% locals budget would
 * leave most samples without locals: they lift it unless they set it themselves.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TRIPOD_LOCALS_BUDGET: '100' };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TRIPOD_') && !key.startsWith('VITEST') && !INHERITED_NOT.has(key)) env[key] = value;
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export function start(node: string, args: string[], options: RunOptions = {}): ChildProcess {
  return spawn(node, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

export function finish(child: ChildProcess, options: RunOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

export function run(node: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  return finish(start(node, args, options), options);
}

export function tripod(node: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  return run(node, [TRIPOD, ...args], options);
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tripod-test-'));
}

export function tempLog(): string {
  return path.join(tempDir(), 'run.log');
}

export type LogRecord = Record<string, any>;

export function readLog(file: string): LogRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogRecord);
}

export function samplesOf(records: LogRecord[]): LogRecord[] {
  return records.filter((r) => r.event === 'sample');
}

/** Waits until `text` appears on the child's stdout. */
export function waitForOutput(child: ChildProcess, text: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" on stdout within ${timeoutMs} ms; saw: ${seen}`)), timeoutMs);
    child.stdout!.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}
