/**
 * Notices every way the target can end — normal exit, process.exit, an uncaught
 * exception or unhandled rejection, SIGINT/SIGTERM/SIGHUP — and reports it once,
 * without changing how the process ends.
 */
import type { EndInfo } from '../log/records';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface EndHooks {
  /**
   * Call once the script is loaded: the ES module loader adds its own 'exit'
   * listener then (it sets exit code 13 for an unsettled top-level await), and
   * the end record must see the code it leaves.
   */
  scriptLoaded(): void;
}

export function onTargetEnd(report: (end: EndInfo) => void): EndHooks {
  let reported = false;
  let error: EndInfo['error'];
  const once = (end: EndInfo) => {
    if (reported) return;
    reported = true;
    report({ ...end, ...(error ? { error } : {}) });
  };

  process.on('uncaughtExceptionMonitor', (thrown, origin) => {
    const e = thrown instanceof Error ? thrown : undefined;
    error = { origin, name: e?.name ?? typeof thrown, message: e ? e.message : String(thrown) };
  });
  const onExit = (code: number) => once({ exitCode: numericExitCode(process.exitCode) ?? code });
  process.on('exit', onExit);

  for (const signal of SIGNALS) {
    const listener = () => {
      // The target listens too: it decides what the signal means, and 'exit' reports the end.
      if (process.listenerCount(signal) > 1) return;
      once({ signal });
      process.removeListener(signal, listener);
      // With no listener left Node restores the default action: die by the signal, as without tripod.
      process.kill(process.pid, signal);
    };
    process.on(signal, listener);
  }
  return {
    scriptLoaded() {
      process.removeListener('exit', onExit);
      process.on('exit', onExit);
    },
  };
}

function numericExitCode(code: typeof process.exitCode): number | undefined {
  const value = Number(code);
  return code === undefined || code === null || !Number.isInteger(value) ? undefined : value;
}
