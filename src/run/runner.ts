/**
 * `tripod script args`: start the sampler, find the script, open the log, hand
 * the sampler the log, hook the target's end, then hand the process to the
 * script. Split in two so the CLI can announce the log before the script prints
 * anything. With --children, each Node.js child does the same from its preload
 * (child-run.ts), around a script that Node itself runs.
 */
import type { RunConfig } from '../config';
import { installProbeHolder } from '../capture/probe-context';
import { closeSync } from 'node:fs';
import type { LogFile } from '../log/log-file';
import { type Sampler, startSampler } from './sampler';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { resolveScript, runScript } from './launch';
import { debugSetting } from '../diagnostics/debug-log';
import { type FollowSettings, followChildren } from './follow-children';
import { censusStart } from './process-census';

export interface PreparedRun {
  config: RunConfig;
  /** --children: where this run's records begin in the log, if it is a regular file (process-census.ts). */
  censusFrom?: number;
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
  try {
    const scriptPath = resolveScript(config.script);
    const log = config.children ? sharedLog(scriptPath, config.logPath) : openLog(scriptPath, config.logPath);
    if (!config.children) return { config, scriptPath, logPath: log.path, fd: log.fd, sampler };
    followChildren(followSettings(config, log.path));
    return { config, scriptPath, logPath: log.path, fd: log.fd, sampler, censusFrom: censusStart(log.fd) };
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

/**
 * The log every process of a --children run appends to: each opens it with O_APPEND and writes each record
 * whole in one write, so records of several processes never overlap. A new temp log is opened again by
 * its path for that (tmp opens it without O_APPEND).
 */
function sharedLog(scriptPath: string, requested: string | undefined): LogFile {
  const log = openLog(scriptPath, requested);
  if (requested) return log;
  const appending = openLog(scriptPath, log.path);
  closeSync(log.fd);
  return appending;
}

function followSettings(config: RunConfig, logPath: string): FollowSettings {
  const { interval, timeoutMs, localsBudget, limits, watchdog, crash, profile, threads } = config;
  return { interval, timeoutMs, localsBudget, limits, watchdog, crash, profile, threads, logPath, debug: debugSetting() };
}

export function startRun(run: PreparedRun): void {
  const { sampler } = run;
  sampler.begin({
    fd: run.fd,
    logPath: run.logPath,
    script: run.scriptPath,
    argv: [process.argv[0], run.scriptPath, ...run.config.scriptArgs],
    ...(run.censusFrom !== undefined ? { census: { from: run.censusFrom } } : {}),
  });
  const hooks = onTargetEnd((end) => sampler.stop(end));
  // From a fresh stack, as the first thing the event loop does: tripod's own frames and a second set of
  // Node's loader frames would otherwise sit under the script's, rebuilt by V8 at every pause (~80 us each)
  // and shown in the stack of every error the script's top level throws.
  setImmediate(() => {
    runScript(run.scriptPath, run.config.scriptArgs);
    hooks.scriptLoaded();
  });
}
