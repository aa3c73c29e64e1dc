'use strict';
const { spawn } = require('node:child_process');

const STDERR_TAIL_CHARS = 16 * 1024;
const STDOUT_MAX_CHARS = 64 * 1024 * 1024;
// After SIGKILL a child can still hold its pipes open a moment; never wait on it forever.
const CLOSE_GRACE_MS = 5000;

const live = new Set();

function track(child) {
  live.add(child);
  const drop = () => live.delete(child);
  child.once('exit', drop);
  child.once('error', drop);
}

function killAll() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

function spawnPiped(file, args, { env, cwd }) {
  const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

/**
 * Runs a child to completion. Never rejects: failures come back as fields so one
 * broken variant cannot take the harness down.
 * Resolves { code, signal, stdout, stderrTail, timedOut, wallMs, spawnError }.
 * wallMs is spawn() to 'exit', measured here so every variant pays the same spawn cost.
 */
function runProcess(file, args, { env, cwd, timeoutMs }) {
  return new Promise((resolve) => {
    const result = { code: null, signal: null, stdout: '', stderrTail: '', timedOut: false, wallMs: null, spawnError: null };
    let settled = false;
    let closeGuard = null;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGuard);
      resolve(result);
    };

    const started = process.hrtime.bigint();
    let child;
    try {
      child = spawnPiped(file, args, { env, cwd });
    } catch (err) {
      result.spawnError = err.message;
      resolve(result);
      return;
    }
    child.stdout.on('data', (d) => {
      if (result.stdout.length < STDOUT_MAX_CHARS) result.stdout += d;
    });
    child.stderr.on('data', (d) => {
      result.stderrTail = (result.stderrTail + d).slice(-STDERR_TAIL_CHARS);
    });
    const timer = setTimeout(() => {
      result.timedOut = true;
      child.kill('SIGKILL');
      closeGuard = setTimeout(finish, CLOSE_GRACE_MS);
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      result.wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      result.code = code;
      result.signal = signal;
    });
    child.on('error', (err) => {
      result.spawnError = err.message;
      finish();
    });
    child.on('close', finish);
  });
}

/**
 * Starts a long-running child (a server). The returned handle lets the caller wait
 * for a JSON line on its stdout and stop it with SIGTERM, escalating to SIGKILL.
 */
function startProcess(file, args, { env, cwd }) {
  let stderrTail = '';
  let pending = '';
  let exitInfo = null;
  const waiters = new Set();

  let child;
  let spawnError = null;
  try {
    child = spawnPiped(file, args, { env, cwd });
  } catch (err) {
    spawnError = err.message;
  }

  const exited = new Promise((resolve) => {
    if (!child) {
      exitInfo = { code: null, signal: null, spawnError };
      resolve(exitInfo);
      return;
    }
    const done = (info) => {
      if (exitInfo) return;
      exitInfo = info;
      for (const w of waiters) w.fail(describeExit(info));
      resolve(info);
    };
    child.on('error', (err) => done({ code: null, signal: null, spawnError: err.message }));
    child.on('close', (code, signal) => done({ code, signal, spawnError: null }));
  });

  if (child) {
    child.stderr.on('data', (d) => {
      stderrTail = (stderrTail + d).slice(-STDERR_TAIL_CHARS);
    });
    child.stdout.on('data', (d) => {
      pending += d;
      let nl;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        let value;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        for (const w of waiters) w.offer(value);
      }
    });
  }

  function waitForJson(predicate, timeoutMs) {
    if (exitInfo) return Promise.resolve({ ok: false, error: describeExit(exitInfo) });
    return new Promise((resolve) => {
      const w = {
        offer(value) {
          if (predicate(value)) settle({ ok: true, value });
        },
        fail(error) {
          settle({ ok: false, error });
        },
      };
      const timer = setTimeout(() => settle({ ok: false, error: `no ready line within ${timeoutMs} ms` }), timeoutMs);
      function settle(r) {
        clearTimeout(timer);
        waiters.delete(w);
        resolve(r);
      }
      waiters.add(w);
    });
  }

  // Resolves { code, signal, spawnError, forced, alreadyExited }.
  async function stop(graceMs) {
    if (exitInfo) return { ...exitInfo, forced: false, alreadyExited: true };
    let forced = false;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      forced = true;
      child.kill('SIGKILL');
    }, graceMs);
    let guard;
    const info = await Promise.race([
      exited,
      new Promise((r) => {
        guard = setTimeout(() => r({ code: null, signal: 'SIGKILL', spawnError: 'did not close after SIGKILL' }), graceMs + CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(killTimer);
    clearTimeout(guard);
    return { ...info, forced, alreadyExited: false };
  }

  return {
    waitForJson,
    stop,
    stderrTail: () => stderrTail,
    hasExited: () => exitInfo !== null,
    pid: () => child?.pid,
  };
}

function describeExit(info) {
  if (info.spawnError) return `spawn failed: ${info.spawnError}`;
  return `exited early (code ${info.code}, signal ${info.signal})`;
}

/** One-line reason for a runProcess result that is not a clean exit 0, or null. */
function failureReason(r) {
  if (r.spawnError) return `spawn failed: ${r.spawnError}`;
  if (r.timedOut) return 'timed out (killed)';
  if (r.code !== 0) return `exit code ${r.code}${r.signal ? `, signal ${r.signal}` : ''}`;
  return null;
}

/** Last JSON object printed on stdout, or null. */
function lastJsonLine(stdout) {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line);
    } catch {
      // not ours; keep looking
    }
  }
  return null;
}

module.exports = { runProcess, startProcess, killAll, failureReason, lastJsonLine };
