/** The runner's banner: what `tripod script.js` will do, and where its log goes (on stderr, unless -q). */
import type { RunConfig } from '../config';

export function runBanner(config: RunConfig, logPath: string): string {
  const lines: string[] = [];
  if (config.profile) lines.push(`Profiling stacks at ${config.profile.rateHz} Hz`);
  if (config.interval > 0) lines.push(`Sampling every ${config.interval.toFixed(6)} seconds${includedInBanner(config)}`);
  if (config.watchdog) lines.push(`Watching for event-loop stalls over ${config.watchdog.thresholdMs} ms`);
  if (config.requests.slow) lines.push(`Logging requests slower than ${config.requests.slow.thresholdMs} ms`);
  if (config.crash) lines.push(`Capturing uncaught exceptions${config.crash.rejections ? ' and unhandled rejections' : ''} with their locals`);
  lines.push(`Writing output to: ${logPath}`);
  return lines.map((line) => `[tripod] ${line}\n`).join('');
}

function includedInBanner(config: RunConfig): string {
  if (config.threads && config.children) return ', worker threads and child processes included';
  if (config.threads) return ', worker threads included';
  return config.children ? ', child processes included' : '';
}
