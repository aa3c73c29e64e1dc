/**
 * `tripod script args`: open the log, start the sampler, hook the target's end,
 * then hand the process to the script. Split in two so the CLI can announce the
 * log before the script prints anything.
 */
import type { RunConfig } from '../config';
import { openLogFile } from '../log/log-file';
import { startSampler } from '../sample/sampler';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { resolveScript, runScript } from './launch';

export interface PreparedRun {
  config: RunConfig;
  scriptPath: string;
  logPath: string;
  fd: number;
}

/** Everything that can fail on bad input fails here, before the target runs. */
export function prepareRun(config: RunConfig): PreparedRun {
  const scriptPath = resolveScript(config.script);
  const log = openLogFile(scriptPath, config.logPath);
  return { config, scriptPath, logPath: log.path, fd: log.fd };
}

export function startRun(run: PreparedRun): void {
  const sampler = startSampler(run.config, run.fd, run.scriptPath, tripodVersion());
  const hooks = onTargetEnd((end) => sampler.stop(end));
  // From a fresh stack, as the first thing the event loop does: tripod's own frames and a second set of
  // Node's loader frames would otherwise sit under the script's, rebuilt by V8 at every pause (~80 us each)
  // and shown in the stack of every error the script's top level throws.
  setImmediate(() => {
    runScript(run.scriptPath, run.config.scriptArgs);
    hooks.scriptLoaded();
  });
}
