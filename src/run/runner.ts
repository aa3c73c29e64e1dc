/**
 * `tripod script args`: start the sampler, find the script, open the log, hand
 * the sampler the log, hook the target's end, then hand the process to the
 * script. Split in two so the CLI can announce the log before the script prints
 * anything.
 */
import type { RunConfig } from '../config';
import { installProbeHolder } from '../capture/probe-context';
import { installRequestTracker } from '../requests/tracker';
import type { LogFile } from '../log/log-file';
import { type Sampler, startSampler } from './sampler';
import { tripodVersion } from '../version';
import { onTargetEnd } from './exit-hooks';
import { resolveScript, runScript } from './launch';
import { processRegistry } from '../flags/index';
import { sayOnStderr } from './stderr-line';
import { writeSync } from 'node:fs';

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
  scriptPath: string;
  logPath: string;
  fd: number;
  sampler: Sampler;
}

/** Everything that can fail on bad input fails here, before the target runs. */
export function prepareRun(config: RunConfig): PreparedRun {
  // First, so the worker boots while this thread finds the script and opens the log.
  const sampler = startSampler(config, tripodVersion());
  // Before any of the program's code: the tracker and the probe capture Node's own built-ins, node:vm and
  // getActiveResourcesInfo, and the tracker's subscriptions see the program's first request.
  const { requests } = config;
  const slots = sampler.slowSlots ? (require('../requests/slow-slots') as typeof import('../requests/slow-slots')).slotViews(sampler.slowSlots) : undefined;
  const tracker = installRequestTracker({ keepQuery: requests.keepQuery, running: requests.running, ...(slots ? { slots } : {}) });
  installProbeHolder(tracker.snapshot);
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
  seedFlags(run.config.flags ?? {}, run.fd);
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
