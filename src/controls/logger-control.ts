/**
 * What every logger adapter (pino.ts, debug.ts; winston would be one more file)
 * offers `tripod flags`: a section of --ls, the check of a change before anything
 * is changed (so several changes go all or none), the change, and the undoing of
 * what tripod changed. Each finds its loggers without the program's help.
 */
import type { ModuleCache } from './module-cache';
import type { TimedCdp } from './timed-cdp';

/** One change as printed (`set NAME OLD -> NEW (module)`) and logged as a control record. */
export interface ControlChange {
  kind: string;
  name: string;
  old: string;
  new: string;
  module?: string;
  /** What the program's code threw on the change (the value stays set). */
  errors?: string[];
}

export interface PlannedChange {
  control: LoggerControl;
  apply(registryId: string): Promise<ControlChange[]>;
}

export interface LoggerControl {
  /** Its name on the command line: pino=LEVEL, pino{module:"db"}=LEVEL. */
  readonly name: string;
  /** The heading of its --ls section. */
  readonly title: string;
  /** Its --ls lines (indented by the renderer). */
  lines(): string[];
  /** A change checked against what was found: a plan, or the one line that says what is wrong. */
  plan(selector: string, value: string): PlannedChange | string;
  /** Back to what tripod found before its first change. */
  restore(registryId: string): Promise<ControlChange[]>;
  /** Where the cheap route found them: the thorough one, for a change the cheap one cannot place. */
  deeper?: () => Promise<LoggerControl>;
  /** None of the loggers found matches the selector (a --set the thorough route may place). */
  misses?(selector: string): boolean;
}

export interface FindOptions {
  /** Walk the program's heap (a full GC) rather than read what its modules hold. */
  deep: boolean;
  /** The program's process, to read its modules' files through /proc/PID/root. */
  pid?: number;
}

export interface LoggerAdapter {
  readonly name: string;
  /** undefined: the program has not loaded this logger. */
  find(cdp: TimedCdp, modules: ModuleCache, options: FindOptions): Promise<LoggerControl | undefined>;
}
