/**
 * Notices every way the target can end — normal exit, process.exit, an uncaught
 * exception or unhandled rejection, SIGINT/SIGTERM/SIGHUP — and reports it once,
 * without changing how the process ends.
 */
import type { EndInfo } from '../log/records';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function onTargetEnd(report: (end: EndInfo) => void): void {
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
  process.on('exit', (code) => once({ exitCode: code }));

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
}
