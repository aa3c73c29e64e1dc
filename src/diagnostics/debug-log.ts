/**
 * tripod's own debug output, as Node's util.debuglog: `TRIPOD_DEBUG=capture,attach`
 * (or `*`, or `1`, or --debug for every section) writes what tripod's parts do to
 * stderr, one line each with a timing: `tripod:capture 12.3ms probe answered
 * (main, 14 frames)` for a step that took 12.3 ms, `tripod:attach +0.4ms route:
 * SIGUSR1` for an event, 0.4 ms after that section's previous line.
 *
 * Off, a section's function is one property read and a return: its arguments are
 * values the caller already has (at most four, so no rest array is made), the
 * message is formatted only when on, and no clock is read. The setting is the
 * process's, turned on by cli.ts and the commands' front ends (src/commands/); the sampler worker gets it in its workerData
 * (never through process.env, which the program sees). Lines go straight to fd 2
 * (sayOnStderr): creating process.stderr in the target would change its stderr.
 */
import { UserError } from '../errors';
import { terminalSafe } from '../report/terminal-text';
import { sayOnStderr } from '../run/stderr-line';

/** The sections tripod's parts write to. */
export const DEBUG_SECTIONS = ['capture', 'attach', 'record', 'sample', 'log', 'profile', 'watchdog', 'crash'] as const;
export type DebugSection = (typeof DEBUG_SECTIONS)[number];

/** Which sections are on: a list of names, `*` for all, "" for none. Plain text, so it can travel in workerData. */
export type DebugSetting = string;

type Arg = string | number | boolean | undefined;

export interface DebugFn {
  /** An event: `tripod:SECTION +Δms message`, Δ since the section's previous line. `%s` in `format` takes the next argument. */
  (format: string, a?: Arg, b?: Arg, c?: Arg, d?: Arg): void;
  /** A step that took `ms`: `tripod:SECTION 12.3ms message`. */
  took(ms: number, format: string, a?: Arg, b?: Arg, c?: Arg, d?: Arg): void;
  /** Whether the section is on: guard a message whose arguments cost something to get. */
  readonly enabled: boolean;
}

/** Per section, one small object every function of it reads: turning a section on later reaches them all, and the check is one field load. */
interface SectionState {
  on: boolean;
  lastLine: number | undefined;
}
const sections = new Map<string, SectionState>(DEBUG_SECTIONS.map((section) => [section, { on: false, lastLine: undefined }]));
let setting: DebugSetting = '';

/** Values of TRIPOD_DEBUG that mean every section and stack traces on errors (what `1` meant before sections). */
const ALL = /^(1|\*|true|yes|on)$/i;
/** Values that mean none. */
const NONE = /^(|0|false|no|off)$/i;

/**
 * The sections a TRIPOD_DEBUG value (and --debug) turns on, as a setting;
 * refuses a name that is no section, in one line that lists them.
 */
export function debugSettingOf(raw: string | undefined, debugFlag: boolean): DebugSetting {
  const text = (raw ?? '').trim();
  if (debugFlag || ALL.test(text)) return '*';
  if (NONE.test(text)) return '';
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(DEBUG_SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UserError(`tripod: TRIPOD_DEBUG names ${unknown.map((name) => JSON.stringify(name)).join(', ')}, which is no section; use a comma list of ${DEBUG_SECTIONS.join(', ')}, or * for all`);
  }
  return names.join(',');
}

/** Whether a TRIPOD_DEBUG value asks for stack traces on tripod's errors: `1` (or true/yes/on) and `*`; a list of sections does not. */
export function tracesWanted(raw: string | undefined): boolean {
  return ALL.test((raw ?? '').trim());
}

/** Turns the setting's sections on for this thread (cli.ts for the process; the sampler worker for itself). */
export function enableDebugLog(next: DebugSetting | undefined): void {
  setting = next ?? '';
  for (const [section, state] of sections) state.on = setting === '*' || setting.split(',').includes(section);
}

/** tripod's debug lines as TRIPOD_DEBUG and --debug (every section) ask, on before a command does anything else. */
export function enableDebugLogFromEnv(debugFlag: boolean): void {
  enableDebugLog(debugSettingOf(process.env.TRIPOD_DEBUG, debugFlag));
}

/** The setting in force, to hand to the sampler worker. */
export function debugSetting(): DebugSetting {
  return setting;
}

/** The function a module writes its section's lines with; cheap to call while the section is off. */
export function debugLog(section: DebugSection): DebugFn {
  const state = sections.get(section)!;
  const fn = ((format: string, a?: Arg, b?: Arg, c?: Arg, d?: Arg) => {
    if (!state.on) return;
    const now = performance.now();
    const since = state.lastLine === undefined ? 0 : now - state.lastLine;
    state.lastLine = now;
    write(section, `+${since.toFixed(1)}ms`, format, a, b, c, d);
  }) as DebugFn;
  fn.took = (ms, format, a, b, c, d) => {
    if (!state.on) return;
    state.lastLine = performance.now();
    write(section, `${ms.toFixed(1)}ms`, format, a, b, c, d);
  };
  Object.defineProperty(fn, 'enabled', { get: () => state.on });
  return fn;
}

function write(section: string, timing: string, format: string, a: Arg, b: Arg, c: Arg, d: Arg): void {
  const args = [a, b, c, d];
  let next = 0;
  const message = format.replace(/%s/g, () => String(args[next++]));
  // Thread names, URLs and error messages come from the target: no control character reaches the terminal.
  sayOnStderr(terminalSafe(`tripod:${section} ${timing} ${message}`.replace(/\n/g, '\\n')) + '\n');
}
