/**
 * `tripod flags PID`: list, set and clear a running program's flags and log
 * levels, over one attach. Every change is checked before any is made (several
 * --set: all or none). The functions take an attached process, so the monitor
 * console's flags/set/clear/level commands share them.
 */
import type { FlagsConfig } from '../config';
import { UserError } from '../errors';
import { ATTACH_EXIT } from '../attach/exit-codes';
import { type AttachedProcess, withAttached } from '../attach/session';
import { workingDirectoryOf } from '../attach/target-process';
import { parseFlagValue, type FlagValue } from '../flags/index';
import { appendableLogOf, appendToLog, controlLines } from './control-log';
import { debugAdapter } from './debug';
import type { ControlChange, LoggerAdapter, LoggerControl, PlannedChange } from './logger-control';
import { ModuleCache } from './module-cache';
import { pinoAdapter } from './pino';
import { type GlobalAccess, globalAccess, registryOf } from './global-registry';
import { ensureRegistry, type FlagChange, logThroughRegistry, readRegistry, type RegistryView, setFlags } from './registry-access';
import { globRegex, renderChanges, renderListing } from './render';
import { TimedCdp } from './timed-cdp';

const UNREADABLE = 'it replaced Object.getOwnPropertyDescriptor, defineProperty or getOwnPropertySymbols, and tripod calls none of its code to read them';

/** Every logger kind tripod knows; winston would be one more file and one more entry. */
const ADAPTERS: readonly LoggerAdapter[] = [pinoAdapter, debugAdapter];

export interface ControlsRequest {
  list?: { glob?: string };
  sets: string[];
  clear?: string[];
  debugNamespaces?: string;
  /** Find pino's loggers by walking the heap, not through the modules' scopes. */
  deep?: boolean;
}

export interface ControlsResult {
  /** What to print on stdout, line by line. */
  lines: string[];
  /** What to print on stderr (an onChange that threw). */
  warnings: string[];
  changes: ControlChange[];
  /** Where the changes were logged, if anywhere. */
  loggedTo?: string;
  /** How long the command's calls kept the main thread busy (see timed-cdp.ts). */
  stoppedMs: number;
}

export function flagsCommand(config: FlagsConfig, abort?: AbortSignal): Promise<ControlsResult> {
  return withAttached(config.pid, config.timeoutMs, (target) => controlsOf(target, config), abort).catch((error: unknown) => {
    // The attach layer's words are a dump's; a change that went out unanswered may or may not have been made.
    if (error instanceof UserError && error.exitCode === ATTACH_EXIT.targetExited) {
      throw new UserError(`tripod flags: process ${config.pid} exited during the command; nothing more can be read or set in it`, ATTACH_EXIT.targetExited);
    }
    throw error;
  });
}

/** The console's `flags`, `set`, `clear` and `level` commands call this with their arguments as a request. */
export async function controlsOf(target: AttachedProcess, request: ControlsRequest): Promise<ControlsResult> {
  const cdp = new TimedCdp(target.attachment.main);
  // Modules are named relative to the program's directory, in the listing and in each change's line.
  const cwd = workingDirectoryOf(target.attachment.pid);
  try {
    // The loggers a request names are looked for while the registry is read; --clear alone needs the registry first.
    const pid = target.attachment.pid;
    const early = request.clear?.length === 0 ? undefined : findControls(cdp, loggersWanted(request, undefined), request, pid);
    early?.catch(() => {});
    const { access, view } = await registryView(cdp);
    const controls = await deepenWhereNeeded(request, await (early ?? findControls(cdp, loggersWanted(request, view), request, pid)));
    const planned = planAll(request, view, controls);
    const lines = request.list ? renderListing(view, controls, request.list.glob, cwd) : [];
    if (planned.flagChanges.length === 0 && planned.loggerChanges.length === 0 && planned.restores.length === 0) {
      return { lines, warnings: [], changes: [], stoppedMs: cdp.stoppedMs };
    }
    const writable = await ensureRegistry(cdp, access, view.id);
    const changes = await applyAll(cdp, writable, view, planned);
    const loggedTo = await logChanges(cdp, writable, view, target.attachment.pid, changes);
    const warnings = changes.flatMap((c) => (c.errors ?? []).map((e) => `tripod flags: ${c.kind === 'flag' ? `the onChange of ${c.name}` : c.name} threw ${e}; the value stays set`));
    return { lines: [...lines, ...renderChanges(changes, cwd)], warnings, changes, ...(loggedTo ? { loggedTo } : {}), stoppedMs: cdp.stoppedMs };
  } finally {
    await cdp.release();
  }
}

/**
 * The logger kinds a request needs found, and no more: finding pino's loggers walks the heap
 * (Runtime.queryObjects), which stops the main thread for a while (BENCHMARKS.md). A flag's
 * --set finds none; --clear alone finds those tripod changed before.
 */
function loggersWanted(request: ControlsRequest, view: RegistryView | undefined): Set<string> {
  const wanted = new Set<string>();
  const glob = request.list?.glob;
  if (request.list) for (const adapter of ADAPTERS) if (glob === undefined || globRegex(glob).test(adapter.name)) wanted.add(adapter.name);
  for (const set of request.sets) {
    const logger = isLoggerName(set);
    if (logger) wanted.add(logger.name);
  }
  if (request.debugNamespaces !== undefined) wanted.add('debug');
  for (const name of request.clear ?? []) if (name === 'pino' || name === 'debug') wanted.add(name);
  if (request.clear?.length === 0) for (const name of view?.loggersChanged ?? []) wanted.add(name);
  return wanted;
}

async function registryView(cdp: TimedCdp): Promise<{ access?: GlobalAccess; view: RegistryView }> {
  const { access, describe } = await globalAccess(cdp);
  if (!access || !describe) return { view: { ...(await readRegistry(cdp, undefined)), unreadable: true } };
  return { access, view: await readRegistry(cdp, await registryOf(cdp, access, describe)) };
}

/** --clear puts back every logger tripod changed: those are found by the heap walk, as --deep finds them. */
async function findControls(cdp: TimedCdp, wanted: Set<string>, request: ControlsRequest, pid: number): Promise<LoggerControl[]> {
  if (wanted.size === 0) return [];
  const modules = await ModuleCache.read(cdp);
  const options = { deep: Boolean(request.deep) || request.clear !== undefined, pid };
  const found = await Promise.all(ADAPTERS.filter((adapter) => wanted.has(adapter.name)).map((adapter) => adapter.find(cdp, modules, options)));
  return found.filter((control): control is LoggerControl => control !== undefined);
}

/** A logger --set the cheap route cannot place (none it found has those bindings): the thorough route's loggers instead. */
async function deepenWhereNeeded(request: ControlsRequest, controls: LoggerControl[]): Promise<LoggerControl[]> {
  const out = [...controls];
  for (const set of request.sets) {
    const logger = isLoggerName(set);
    const at = out.findIndex((c) => c.name === logger?.name);
    const control = out[at];
    if (logger && control?.deeper && control.misses?.(logger.selector)) out[at] = await control.deeper();
  }
  return out;
}

function levelOf(set: string, logger: { name: string; selector: string }): string {
  return set.slice(set.indexOf('=', logger.name.length + logger.selector.length) + 1);
}

/** "pino=debug" / 'pino{module:"db"}=trace' -> the adapter's name and the selector; undefined for a flag. */
function isLoggerName(set: string): { name: string; selector: string } | undefined {
  const match = /^(pino|debug)(\{.*\})?=/s.exec(set);
  return match ? { name: match[1], selector: match[2] ?? '' } : undefined;
}

interface Plan {
  flagChanges: FlagChange[];
  loggerChanges: PlannedChange[];
  restores: LoggerControl[];
}

function planAll(request: ControlsRequest, view: RegistryView, controls: LoggerControl[]): Plan {
  const plan: Plan = { flagChanges: [], loggerChanges: [], restores: [] };
  for (const set of request.sets) planSet(set, view, controls, plan);
  if (request.debugNamespaces !== undefined) plan.loggerChanges.push(loggerPlan(controls, 'debug', '', request.debugNamespaces, `--debug ${request.debugNamespaces}`));
  if (request.clear) planClear(request.clear, view, controls, plan);
  return plan;
}

function planSet(set: string, view: RegistryView, controls: LoggerControl[], plan: Plan): void {
  const logger = isLoggerName(set);
  if (logger) {
    plan.loggerChanges.push(loggerPlan(controls, logger.name, logger.selector, levelOf(set, logger), `--set ${set}`));
    return;
  }
  const at = set.indexOf('=');
  if (at <= 0) throw new UserError(`tripod flags: --set ${JSON.stringify(set)} is not NAME=VALUE; e.g. --set debugCache=2`);
  const name = set.slice(0, at);
  const flag = view.flags.find((f) => f.name === name);
  if (!flag) throw new UserError(`tripod flags: no flag ${JSON.stringify(name)} in this process; ${existing(view)}`);
  const parsed = parseFlagValue(flag.meta, set.slice(at + 1));
  if (!parsed.ok) throw new UserError(`tripod flags: ${JSON.stringify(set.slice(at + 1))} is not a value of ${name}, a ${flag.meta.type}: give ${parsed.allowed}; nothing was changed`);
  plan.flagChanges.push({ name, value: parsed.value });
}

function loggerPlan(controls: LoggerControl[], name: string, selector: string, value: string, what: string): PlannedChange {
  const control = controls.find((c) => c.name === name);
  if (!control) throw new UserError(`tripod flags: ${what}: this process has not loaded ${name} (looked for it in require.cache); nothing was changed`);
  const planned = control.plan(selector, value);
  if (typeof planned === 'string') throw new UserError(`tripod flags: ${what}: ${planned}; nothing was changed`);
  return planned;
}

function planClear(names: string[], view: RegistryView, controls: LoggerControl[], plan: Plan): void {
  const everything = names.length === 0;
  for (const name of names) {
    if ((name === 'pino' || name === 'debug') && !view.flags.some((f) => f.name === name)) {
      const control = controls.find((c) => c.name === name);
      if (!control) throw new UserError(`tripod flags: --clear ${name}: this process has not loaded ${name}; nothing was changed`);
      plan.restores.push(control);
      continue;
    }
    const flag = view.flags.find((f) => f.name === name);
    if (!flag) throw new UserError(`tripod flags: --clear: no flag ${JSON.stringify(name)} in this process; ${existing(view)}`);
    plan.flagChanges.push({ name, value: flag.default, forget: true });
  }
  if (!everything) return;
  for (const flag of view.flags) if (flag.original !== undefined) plan.flagChanges.push({ name: flag.name, value: flag.original, forget: true });
  plan.restores.push(...controls);
}

function existing(view: RegistryView): string {
  if (view.unreadable) return `tripod could not read its flags: ${UNREADABLE}`;
  if (view.flags.length === 0) return 'it registers none (flag() of tripod/flags); pino and debug are set with --set pino=LEVEL and --debug PATTERNS';
  const names = view.flags.map((f) => f.name);
  return `its flags: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … (${names.length} in all; tripod flags PID --ls GLOB)` : ''}`;
}

async function applyAll(cdp: TimedCdp, registryId: string, view: RegistryView, plan: Plan): Promise<ControlChange[]> {
  const changes: ControlChange[] = [];
  if (plan.flagChanges.length > 0) {
    for (const outcome of await setFlags(cdp, registryId, plan.flagChanges)) {
      const flag = view.flags.find((f) => f.name === outcome.name)!;
      changes.push({ kind: 'flag', name: outcome.name, old: text(outcome.old), new: text(outcome.value), module: flag.meta.module, ...(outcome.errors.length ? { errors: outcome.errors } : {}) });
    }
  }
  for (const planned of plan.loggerChanges) changes.push(...(await planned.apply(registryId)));
  for (const control of plan.restores) changes.push(...(await control.restore(registryId)));
  return changes;
}

function text(value: FlagValue): string {
  return typeof value === 'string' ? value : String(value);
}

/** The runner's log through its hook, else a tripod log the process appends to; undefined when it has neither. */
async function logChanges(cdp: TimedCdp, registryId: string, view: RegistryView, pid: number, changes: ControlChange[]): Promise<string | undefined> {
  if (changes.length === 0) return undefined;
  const lines = controlLines(pid, changes);
  if (view.logsControls) {
    await logThroughRegistry(cdp, registryId, lines);
    return 'the log of tripod running it';
  }
  const log = appendableLogOf(pid);
  if (log) appendToLog(log, lines);
  return log;
}


/**
 * The console's words as a request: `flags [GLOB]`, `set NAME=VALUE...`, `clear [NAME...]`,
 * `level LEVEL | pino{...}=LEVEL | debug PATTERNS` (`level debug` alone is pino's level debug).
 * undefined: not one of these commands.
 */
export function consoleRequest(command: string, args: string[]): ControlsRequest | undefined {
  switch (command) {
    case 'flags':
      return { list: args[0] === undefined ? {} : { glob: args[0] }, sets: [] };
    case 'set':
      return { sets: args };
    case 'clear':
      return { sets: [], clear: args };
    case 'level':
      if (args[0] === 'debug' && args.length > 1) return { sets: [], debugNamespaces: args.slice(1).join(',') };
      return { sets: args.map((arg) => (/^(pino)(\{.*\})?=/s.test(arg) ? arg : `pino=${arg}`)) };
    default:
      return undefined;
  }
}
