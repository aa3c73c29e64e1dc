/**
 * `tripod script args`: start the sampler, find the script, open the log, hand
 * the sampler the log, hook the target's end, then hand the process to the
 * script. Split in two so the CLI can announce the log before the script prints
 * anything.
 */
import type { RunConfig } from '../config';
import { installProbeHolder } from '../capture/probe-context';
import type { LogFile } from '../log/log-file';
import { type Sampler, startSampler } from './sampler';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { resolveScript, runScript } from './launch';

export interface PreparedRun {
  config: RunConfig;
  scriptPath: string;
  logPath: string;
  fd: number;
  sampler: Sampler;
}

/** Everything that can fail on bad input fails here, before the target runs. */
export function prepareRun(config: RunConfig): PreparedRun {
  // First, so the worker boots while this thread finds the script and opens the log.
  const sampler = startSampler(config, tripodVersion());
  // Before any of the program's code: the probe captures Node's own node:vm and getActiveResourcesInfo.
  installProbeHolder();
  // --monitor: the agent's socket, before the program runs (it captures what it needs at load, as with --require).
  if (config.monitor) require('../attach/agent');
  try {
    const scriptPath = resolveScript(config.script);
    const log = openLog(scriptPath, config.logPath);
    return { config, scriptPath, logPath: log.path, fd: log.fd, sampler };
  } catch (error) {
    sampler.abandon();
    throw error;
  }
}

/** Loaded after the worker is started: tmp and the node:crypto it pulls in take ~3 ms the worker's boot can overlap. */
function openLog(scriptPath: string, requested: string | undefined): LogFile {
  const { openLogFile } = require('../log/log-file') as typeof import('../log/log-file');
  return openLogFile(scriptPath, requested);
}

export function startRun(run: PreparedRun): void {
  const { sampler } = run;
  sampler.begin({ fd: run.fd, logPath: run.logPath, script: run.scriptPath, argv: [process.argv[0], run.scriptPath, ...run.config.scriptArgs] });
  const hooks = onTargetEnd((end) => sampler.stop(end));
  // From a fresh stack, as the first thing the event loop does: tripod's own frames and a second set of
  // Node's loader frames would otherwise sit under the script's, rebuilt by V8 at every pause (~80 us each)
  // and shown in the stack of every error the script's top level throws.
  setImmediate(() => {
    runScript(run.scriptPath, run.config.scriptArgs);
    hooks.scriptLoaded();
  });
}
