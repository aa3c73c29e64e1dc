/**
 * pino loggers, found without the program's help: each copy of pino in the module
 * cache, its loggers' shared prototype (in the closure of lib/proto.js's export),
 * and every object built on it (Runtime.queryObjects: roots and children alike, a
 * child's prototype being its parent). Levels and bindings are read from the
 * loggers' own data (pino's levelVal and chindings symbols), no getter run; a level
 * is set through pino's own `level` setter, called by tripod's function. A copy
 * whose layout this adapter does not know is listed as unsupported.
 */
import { byName, idOf } from './registry-access';
import type { ControlChange, LoggerAdapter, LoggerControl, PlannedChange } from './logger-control';
import { type LoadedModule, type ModuleCache, packageDir } from './module-cache';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const ENTRY = '/pino.js';

interface PinoLogger {
  id: string;
  levelVal?: number;
  /** pino's chindings: ',"pid":1,"hostname":"h","module":"db"', a child's holding its parent's. */
  chindings: string;
  bindings: Record<string, unknown>;
}

interface PinoCopy {
  dir: string;
  version: string;
  loggers: PinoLogger[];
  unsupported?: string;
}

export const pinoAdapter: LoggerAdapter = {
  name: 'pino',
  async find(cdp, modules) {
    const copies = await Promise.all(modules.matching(`/pino${ENTRY}`).map((m) => findCopy(cdp, modules, m)));
    return copies.length === 0 ? undefined : new PinoControl(cdp, copies);
  },
};

async function findCopy(cdp: TimedCdp, modules: ModuleCache, entry: LoadedModule): Promise<PinoCopy> {
  const dir = packageDir(entry.path, ENTRY);
  const exportsId = await modules.exportsOf(entry);
  const version = exportsId ? String(byName((await cdp.own(exportsId)).properties).version?.value?.value ?? 'unknown') : 'unknown';
  const unsupported = (why: string): PinoCopy => ({ dir, version, loggers: [], unsupported: why });
  const protoModule = modules.modules.find((m) => m.path === `${dir}/lib/proto.js`);
  const prototypeId = protoModule && (await sharedPrototype(cdp, modules, protoModule));
  if (!prototypeId) return unsupported('no logger prototype in lib/proto.js');
  const { objects } = await cdp.post('Runtime.queryObjects', { prototypeObjectId: prototypeId, objectGroup: CONTROLS_GROUP });
  const found = (await cdp.own(objects.objectId!)).properties.filter((p) => /^\d+$/.test(p.name) && p.value?.objectId);
  const loggers = (await Promise.all(found.map((p) => readLogger(cdp, p.value!.objectId!)))).filter((l): l is PinoLogger => l !== undefined);
  if (found.length > 0 && loggers.length === 0) return unsupported('objects on its prototype have no levelVal/chindings');
  return { dir, version, loggers: inherited(loggers) };
}

/** `prototype`, a const of lib/proto.js, from the [[Scopes]] of the function it exports. */
async function sharedPrototype(cdp: TimedCdp, modules: ModuleCache, protoModule: LoadedModule): Promise<string | undefined> {
  const factory = await modules.exportsOf(protoModule);
  if (!factory) return undefined;
  const scopesId = (await cdp.own(factory)).internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
  if (!scopesId) return undefined;
  const scopes = (await cdp.own(scopesId)).properties.filter((p) => /^\d+$/.test(p.name) && p.value?.objectId && p.value.description !== 'Global');
  for (const scope of scopes) {
    const prototype = idOf(byName((await cdp.own(scope.value!.objectId!)).properties).prototype);
    if (prototype) return prototype;
  }
  return undefined;
}

/** A logger has pino's chindings or serializers of its own; the per-root objects between a root and the prototype have nothing. */
async function readLogger(cdp: TimedCdp, id: string): Promise<PinoLogger | undefined> {
  const own = (await cdp.own(id)).properties;
  const symbol = (description: string) => own.find((p) => p.symbol?.description === `Symbol(${description})`);
  if (!symbol('pino.serializers') && !symbol('pino.chindings')) return undefined;
  const level = symbol('pino.levelVal')?.value;
  const chindings = symbol('pino.chindings')?.value?.value;
  return {
    id,
    levelVal: level === undefined ? undefined : level.unserializableValue === 'Infinity' ? Infinity : (level.value as number),
    chindings: typeof chindings === 'string' ? chindings : '',
    bindings: parseChindings(typeof chindings === 'string' ? chindings : ''),
  };
}

function parseChindings(chindings: string): Record<string, unknown> {
  try {
    return JSON.parse(`{${chindings.replace(/^,/, '')}}`) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A child without a level of its own has its parent's: the logger whose chindings are the longest start of its own. */
function inherited(loggers: PinoLogger[]): PinoLogger[] {
  const sorted = [...loggers].sort((a, b) => a.chindings.length - b.chindings.length);
  for (const logger of sorted) {
    if (logger.levelVal !== undefined) continue;
    const parent = parentOf(logger, sorted);
    if (parent) logger.levelVal = parent.levelVal;
  }
  return sorted;
}

function parentOf(logger: PinoLogger, loggers: PinoLogger[]): PinoLogger | undefined {
  let best: PinoLogger | undefined;
  for (const other of loggers) {
    if (other === logger || other.chindings.length >= logger.chindings.length || !logger.chindings.startsWith(other.chindings)) continue;
    if (!best || other.chindings.length > best.chindings.length) best = other;
  }
  return best;
}

export function levelName(levelVal: number | undefined): string {
  if (levelVal === undefined) return '?';
  return Object.keys(LEVELS).find((name) => LEVELS[name] === levelVal) ?? String(levelVal);
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

  constructor(
    private readonly cdp: TimedCdp,
    private readonly copies: PinoCopy[],
  ) {}

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
    return lines;
  }

  private loggerLine(logger: PinoLogger, all: PinoLogger[]): string {
    const depth = depthOf(logger, all);
    const label = depth === 0 ? '(root)' : `child ${bindingsText(ownBindings(logger, parentOf(logger, all)), false)}`;
    return `${'  '.repeat(depth)}${label.padEnd(Math.max(22 - 2 * depth, label.length + 1))} level ${levelName(logger.levelVal)}`;
  }

  plan(selector: string, value: string): PlannedChange | string {
    if (!(value in LEVELS)) return `${JSON.stringify(value)} is not a pino level; use one of ${Object.keys(LEVELS).join(', ')}`;
    const wanted = selector === '' ? {} : parseSelector(selector);
    if (!wanted) return `${JSON.stringify(selector)} is not a bindings selector; write it as pino{module:"db"}`;
    const supported = this.copies.filter((copy) => !copy.unsupported);
    if (supported.length === 0) return `no pino logger tripod can set in this process${this.copies.length ? ` (${this.lines()[0]})` : ''}`;
    const chosen = supported.flatMap((copy) => copy.loggers.filter((l) => matches(l.bindings, wanted)).map((logger) => ({ logger, copy })));
    if (chosen.length === 0) return `no pino logger has the bindings ${selector}; the loggers: ${supported.flatMap((c) => c.loggers.map((l) => bindingsText(l.bindings, true))).join(', ') || 'none'}`;
    return { control: this, apply: (registryId) => this.setLevels(registryId, chosen, value, false) };
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
      const root = logger === copy.loggers[0] && depthOf(logger, copy.loggers) === 0;
      const name = root ? 'pino (root)' : `pino${bindingsText(ownBindings(logger, parentOf(logger, copy.loggers)), false)}`;
      changes.push({ kind: 'pino', name, old: outcome.old, new: outcome.value, module: copy.dir, ...(outcome.error ? { errors: [outcome.error] } : {}) });
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
