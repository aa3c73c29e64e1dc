/**
 * `tripod script args`: start the sampler, find the script, open the log, hand
 * the sampler the log, hook the target's end, then hand the process to the
 * script. Split in two so the CLI can announce the log before the script prints
 * anything. With --children, each Node.js child does the same from its preload
 * (child-run.ts), around a script that Node itself runs.
 */
import type { RunConfig } from '../config';
import { closeSync, writeSync } from 'node:fs';
import type { LogFile } from '../log/log-file';
import { type Sampler, startSampler } from './sampler';
import { installProgramHooks } from './program-hooks';
import { fullCollector } from '../capture/probe-context';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { resolveScript, runScript } from './launch';
import { processRegistry } from '../flags/index';
import { sayOnStderr } from './stderr-line';
import { builtFile } from '../package-layout';

import { debugSetting } from '../diagnostics/debug-log';
import type { FollowSettings } from './follow-children';

/**
 * Before the script: the values of --flag wait in the registry for their flags to register,
 * a value that does not read is said on stderr, and `tripod flags` writes its control records
 * to this log through the hook (whole lines, on the fd the sampler appends to).
 */
function seedFlags(flags: Record<string, string>, fd: number): void {
  const registry = processRegistry();
  for (const [name, value] of Object.entries(flags)) registry.pending[name] = value;
  registry.warn = (line) => sayOnStderr(`${line}\n`);
  registry.control = (lines) => void writeSync(fd, lines);
}

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
  // Before the worker: the collector's moment with --expose-gc set must see no other thread start.
  const collect = fullCollector();
  const sampler = startSampler(config, tripodVersion());
  installProgramHooks(sampler, config.requests, collect);
  // --monitor: the agent's socket, before the program runs (it captures what it needs at load, as with --require).
  if (config.monitor) require('../attach/agent');
  try {
    const scriptPath = resolveScript(config.script);
    const log = config.children ? sharedLog(scriptPath, config.logPath) : openLog(scriptPath, config.logPath);
    if (!config.children) return { config, scriptPath, logPath: log.path, fd: log.fd, sampler };
    // Loaded only with --children, before the program runs: each module loaded delays the script's start.
    const { followChildren } = require('./follow-children') as typeof import('./follow-children');
    const { censusStart } = require('./process-census') as typeof import('./process-census');
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
  const { interval, timeoutMs, localsBudget, limits, watchdog, crash, profile, threads, requests } = config;
  return { interval, timeoutMs, localsBudget, limits, watchdog, crash, profile, threads, requests, logPath, debug: debugSetting(), preload: builtFile('run/child-preload.js') };
}

export function startRun(run: PreparedRun): void {
  const { sampler } = run;
  seedFlags(run.config.flags ?? {}, run.fd);
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
