/**
 * pino loggers, found without the program's help (pino-find.ts: through the
 * modules' scopes, or by walking the heap), listed and set. A level is set
 * through pino's own `level` setter, called by tripod's function, by name:
 * pino's own levels or the logger's custom ones. A copy whose layout this
 * adapter does not know is listed as unsupported.
 */
import type { ControlChange, LoggerAdapter, LoggerControl, PlannedChange } from './logger-control';
import { DEFAULT_LEVELS, findPino, type FoundPino, parentOf, parseChindings, type PinoCopy, type PinoLogger } from './pino-find';
import type { TimedCdp } from './timed-cdp';

export const pinoAdapter: LoggerAdapter = {
  name: 'pino',
  async find(cdp, modules, options) {
    const found = await findPino(cdp, modules, options.deep, options.pid);
    if (!found) return undefined;
    const control = new PinoControl(cdp, found);
    // Through the scopes, a logger a --set names may be held elsewhere: the heap walk finds it.
    if (!options.deep) control.deeper = async () => new PinoControl(cdp, (await findPino(cdp, modules, true, options.pid, 'a --set names bindings no logger in the module scopes has'))!);
    return control;
  },
};

export function levelName(levelVal: number | undefined, levels: Record<string, number> = DEFAULT_LEVELS): string {
  if (levelVal === undefined) return '?';
  return Object.keys(levels).find((name) => levels[name] === levelVal) ?? String(levelVal);
}

/** The names a logger takes, lowest first (silent last). */
function levelNames(logger: PinoLogger): string[] {
  const levels = logger.levels ?? DEFAULT_LEVELS;
  return Object.keys(levels).sort((a, b) => levels[a] - levels[b]);
}

/** `{module:"db",k:2}` (keys bare or quoted, values JSON or bare words) -> pairs. */
export function parseSelector(selector: string): Record<string, unknown> | undefined {
  const inner = /^\{(.*)\}$/s.exec(selector.trim())?.[1];
  if (inner === undefined) return undefined;
  const pairs: Record<string, unknown> = {};
  const pair = /\s*("(?:[^"\\]|\\.)*"|[\w$-]+)\s*:\s*("(?:[^"\\]|\\.)*"|[^,]+?)\s*(,|$)/gy;
  let consumed = 0;
  for (let match = pair.exec(inner); match && match[0] !== ''; match = pair.exec(inner)) {
    pairs[match[1].startsWith('"') ? (JSON.parse(match[1]) as string) : match[1]] = jsonOrWord(match[2]);
    consumed = pair.lastIndex;
  }
  return consumed === inner.length ? pairs : undefined;
}

function jsonOrWord(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What a child adds to its parent's bindings, as pino{...} would select it. */
function bindingsText(bindings: Record<string, unknown>, root: boolean): string {
  const shown = Object.entries(bindings).filter(([key]) => !(root && (key === 'pid' || key === 'hostname')));
  return `{${shown.map(([key, value]) => `${/^[\w$]+$/.test(key) ? key : JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

const SET_LEVELS = `function tripodSetPinoLevels(level, restore) {
  if (!this.pinoOriginals) this.pinoOriginals = new WeakMap();
  var out = [];
  for (var i = 2; i < arguments.length; i++) {
    var logger = arguments[i], target = level, error = '';
    try {
      var old = logger.level;
      if (restore) {
        if (!this.pinoOriginals.has(logger)) { out[out.length] = null; continue; }
        target = this.pinoOriginals.get(logger);
        this.pinoOriginals.delete(logger);
      } else if (!this.pinoOriginals.has(logger)) this.pinoOriginals.set(logger, old);
      logger.level = target;
    } catch (e) { try { error = String(e && e.message); } catch (_) { error = 'error'; } }
    out[out.length] = { old: String(old), value: String(target), error: error };
  }
  return out;
}`;

class PinoControl implements LoggerControl {
  readonly name = 'pino';
  readonly title = 'pino loggers';

  private readonly copies: PinoCopy[];
  /** The same loggers found by the heap walk, where they were found through the scopes. */
  deeper?: () => Promise<LoggerControl>;

  constructor(
    private readonly cdp: TimedCdp,
    private readonly found: FoundPino,
  ) {
    this.copies = found.copies;
  }

  lines(): string[] {
    const lines: string[] = [];
    for (const copy of this.copies) {
      if (copy.unsupported) {
        lines.push(`pino ${copy.version} in ${copy.dir}: unsupported (${copy.unsupported}); its loggers are not listed`);
        continue;
      }
      if (this.copies.length > 1) lines.push(`pino ${copy.version} in ${copy.dir}:`);
      if (copy.loggers.length === 0) lines.push('(no logger made yet)');
      for (const logger of copy.loggers) lines.push(this.loggerLine(logger, copy.loggers));
    }
    if (this.found.route) lines.push(`(${this.found.route})`);
    return lines;
  }

  private loggerLine(logger: PinoLogger, all: PinoLogger[]): string {
    const depth = depthOf(logger, all);
    const label = depth === 0 ? '(root)' : `child ${bindingsText(ownBindings(logger, parentOf(logger, all)), false)}`;
    return `${'  '.repeat(depth)}${label.padEnd(Math.max(22 - 2 * depth, label.length + 1))} level ${levelName(logger.levelVal, logger.levels)}`;
  }

  plan(selector: string, value: string): PlannedChange | string {
    const wanted = selector === '' ? {} : parseSelector(selector);
    if (!wanted) return `${JSON.stringify(selector)} is not a bindings selector; write it as pino{module:"db"}`;
    const supported = this.copies.filter((copy) => !copy.unsupported);
    if (supported.length === 0) return `no pino logger tripod can set in this process${this.copies.length ? ` (${this.lines()[0]})` : ''}`;
    const chosen = supported.flatMap((copy) => copy.loggers.filter((l) => matches(l.bindings, wanted)).map((logger) => ({ logger, copy })));
    if (chosen.length === 0) return `no pino logger has the bindings ${selector}; the loggers: ${supported.flatMap((c) => c.loggers.map((l) => bindingsText(l.bindings, true))).join(', ') || 'none'}`;
    const refusing = chosen.find(({ logger }) => !levelNames(logger).includes(value));
    if (refusing) return `${JSON.stringify(value)} is not a level of ${this.nameOf(refusing.logger, refusing.copy)}; its levels: ${levelNames(refusing.logger).join(', ')}`;
    return { control: this, apply: (registryId) => this.setLevels(registryId, chosen, value, false) };
  }

  misses(selector: string): boolean {
    const wanted = selector === '' ? {} : parseSelector(selector);
    return wanted !== undefined && !this.copies.some((copy) => copy.loggers.some((l) => matches(l.bindings, wanted)));
  }

  /** As a change names it: pino (root), pino{module:"db"}. */
  private nameOf(logger: PinoLogger, copy: PinoCopy): string {
    const root = logger === copy.loggers[0] && depthOf(logger, copy.loggers) === 0;
    return root ? 'pino (root)' : `pino${bindingsText(ownBindings(logger, parentOf(logger, copy.loggers)), false)}`;
  }

  restore(registryId: string): Promise<ControlChange[]> {
    const all = this.copies.flatMap((copy) => copy.loggers.map((logger) => ({ logger, copy })));
    return this.setLevels(registryId, all, '', true);
  }

  private async setLevels(registryId: string, chosen: { logger: PinoLogger; copy: PinoCopy }[], level: string, restore: boolean): Promise<ControlChange[]> {
    if (chosen.length === 0) return [];
    const { result } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId: registryId,
      functionDeclaration: SET_LEVELS,
      arguments: [{ value: level }, { value: restore }, ...chosen.map(({ logger }) => ({ objectId: logger.id }))],
      returnByValue: true,
      silent: true,
    });
    const outcomes = result.value as ({ old: string; value: string; error: string } | null)[];
    const changes: ControlChange[] = [];
    outcomes.forEach((outcome, i) => {
      if (!outcome) return;
      const { logger, copy } = chosen[i];
      changes.push({ kind: 'pino', name: this.nameOf(logger, copy), old: outcome.old, new: outcome.value, module: copy.dir, ...(outcome.error ? { errors: [outcome.error] } : {}) });
    });
    return changes;
  }
}

function depthOf(logger: PinoLogger, all: PinoLogger[]): number {
  let depth = 0;
  for (let parent = parentOf(logger, all); parent; parent = parentOf(parent, all)) depth++;
  return depth;
}

function ownBindings(logger: PinoLogger, parent: PinoLogger | undefined): Record<string, unknown> {
  if (!parent) return logger.bindings;
  return parseChindings(logger.chindings.slice(parent.chindings.length));
}

function matches(bindings: Record<string, unknown>, wanted: Record<string, unknown>): boolean {
  return Object.entries(wanted).every(([key, value]) => JSON.stringify(bindings[key]) === JSON.stringify(value));
}
