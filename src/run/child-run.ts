/**
 * A Node.js process that a --children run started, from its preload (child-preload.ts), before its script:
 * the runner's start without the parts Node does itself (finding and running the script) and without a
 * banner (the child's stderr stays its own). Loads only what that needs: it is paid at every child's start.
 */
import { debugLog, enableDebugLog } from '../diagnostics/debug-log';
import type { LogFile } from '../log/log-file';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { type FollowSettings, followChildren } from './follow-children';
import { startSampler } from './sampler';
import { installProgramHooks } from './program-hooks';
import { fullCollector } from '../capture/probe-context';

const debug = debugLog('log');

/** A log that cannot be opened leaves the child running unrecorded; its own children are still followed. */
export function recordChild(settings: FollowSettings): void {
  enableDebugLog(settings.debug);
  followChildren(settings);
  // Before the worker: the collector's moment with --expose-gc set must see no other thread start.
  const collect = fullCollector();
  const sampler = startSampler(settings, tripodVersion());
  installProgramHooks(sampler, settings.requests, collect);
  // Node resolved argv[1] to an absolute path before the preload ran; `node -e` has none.
  const script = process.argv[1] ?? '[eval]';
  let log: LogFile;
  try {
    const { openLogFile } = require('../log/log-file') as typeof import('../log/log-file');
    log = openLogFile(script, settings.logPath);
  } catch (error) {
    debug('child %s not recorded: %s', process.pid, (error as Error).message);
    sampler.abandon();
    return;
  }
  // The whole command line, node's own flags included: `node -e CODE` children differ only there.
  const argv = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  // Its start record is written now, before the script (sampler.begin): a child killed at once still leaves it.
  sampler.begin({ fd: log.fd, logPath: log.path, script, argv, ppid: process.ppid });
  const hooks = onTargetEnd((end) => sampler.stop(end));
  // After the main module's first turn: an ES module's loader has added its 'exit' listener by then.
  setImmediate(() => hooks.scriptLoaded());
}
