/**
 * pino's loggers in a running program, found without its help, by one of two
 * routes. Module scopes (the default): the program's own modules that mention
 * pino or a child logger (their files read by tripod, which costs the program
 * nothing), what their exports and their functions' closures hold, and the
 * closures of the listeners on the process and its handles (held-objects.ts);
 * each child found leads to its parents (a child's prototype is its parent).
 * The heap walk (--deep, or when the scopes hold none): every object built on
 * the copy's shared prototype (Runtime.queryObjects, a full GC of the program,
 * ~100 ms on the measured program: BENCHMARKS.md). Levels, custom levels and
 * bindings are read from the loggers' own data (pino's levelVal and chindings
 * symbols, its `levels`), no getter run.
 */
import { readFileSync } from 'node:fs';
import { PACKAGE_ROOT } from '../package-layout';
import { byName, idOf } from './registry-access';
import { distinct, heldObjects } from './held-objects';
import { type LoadedModule, type ModuleCache, packageDir } from './module-cache';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

export const DEFAULT_LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const ENTRY = '/pino.js';
/** A module that makes a logger or a child, or takes one from a framework, says so in its source. */
const MENTIONS_LOGGER = /pino|\.child\s*\(|logger/i;
/** Own modules read at most, and the size of a file read to decide. */
const MAX_MODULES = 40;
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;
/** tripod's own files in the program (tripod/flags, the agent): never the program's loggers. */
const TRIPOD_ROOT = PACKAGE_ROOT;
const isTripods = (file: string) => file.startsWith(`${TRIPOD_ROOT}/dist/`) || file.startsWith(`${TRIPOD_ROOT}/src/`);

export interface PinoLogger {
  id: string;
  levelVal?: number;
  /** pino's chindings: ',"pid":1,"hostname":"h","module":"db"', a child's holding its parent's. */
  chindings: string;
  bindings: Record<string, unknown>;
  /** Its level names and values (pino's `levels.values`: custom levels included), its parent's when it has none of its own. */
  levels?: Record<string, number>;
  /** Its [[Prototype]]: the parent of a child. */
  prototypeId?: string;
}

export interface PinoCopy {
  dir: string;
  version: string;
  loggers: PinoLogger[];
  unsupported?: string;
  /** The loggers' shared prototype (lib/proto.js). */
  prototypeId?: string;
}

export interface FoundPino {
  copies: PinoCopy[];
  /** How they were found, for --ls. */
  route: string;
}

/** `deep`: walk the heap, for the reason given (for --ls's last line). */
export async function findPino(cdp: TimedCdp, modules: ModuleCache, deep: boolean, pid: number | undefined, why = '--deep'): Promise<FoundPino | undefined> {
  const entries = modules.matching(`/pino${ENTRY}`);
  if (entries.length === 0) return undefined;
  const copies = await Promise.all(entries.map((entry) => copyOf(cdp, modules, entry)));
  const supported = copies.filter((copy) => !copy.unsupported);
  if (supported.length === 0) return { copies, route: '' };
  if (!deep) {
    const callsBefore = cdp.calls;
    const scoped = await throughScopes(cdp, modules, supported, pid);
    if (scoped.found > 0) {
      const read = `${scoped.modulesRead} modules and ${scoped.functionsRead} functions, ${cdp.calls - callsBefore} short reads`;
      return { copies, route: `found through the scopes of ${read}; --deep walks the heap for loggers held elsewhere` };
    }
  }
  await Promise.all(supported.map(async (copy) => (copy.loggers = await throughHeap(cdp, copy))));
  return { copies, route: deep ? `found by walking the heap (${why})` : 'found by walking the heap: no module scope tripod reads holds one' };
}

async function copyOf(cdp: TimedCdp, modules: ModuleCache, entry: LoadedModule): Promise<PinoCopy> {
  const dir = packageDir(entry.path, ENTRY);
  const exportsId = await modules.exportsOf(entry);
  const version = exportsId ? String(byName((await cdp.own(exportsId)).properties).version?.value?.value ?? 'unknown') : 'unknown';
  const protoModule = modules.find(`${dir}/lib/proto.js`);
  const prototypeId = protoModule && (await sharedPrototype(cdp, modules, protoModule));
  if (!prototypeId) return { dir, version, loggers: [], unsupported: 'no logger prototype in lib/proto.js' };
  return { dir, version, loggers: [], prototypeId };
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

async function throughHeap(cdp: TimedCdp, copy: PinoCopy): Promise<PinoLogger[]> {
  const { objects } = await cdp.post('Runtime.queryObjects', { prototypeObjectId: copy.prototypeId!, objectGroup: CONTROLS_GROUP });
  const found = (await cdp.own(objects.objectId!)).properties.filter((p) => /^\d+$/.test(p.name) && p.value?.objectId);
  const loggers = (await Promise.all(found.map((p) => readLogger(cdp, p.value!.objectId!)))).filter((l): l is PinoLogger => l !== undefined);
  if (found.length > 0 && loggers.length === 0) copy.unsupported = 'objects on its prototype have no levelVal/chindings';
  return inherited(loggers);
}

/** The loggers the program's modules and listeners hold, and their parents, each put with its copy of pino. */
async function throughScopes(cdp: TimedCdp, modules: ModuleCache, copies: PinoCopy[], pid: number | undefined): Promise<{ found: number; modulesRead: number; functionsRead: number }> {
  const read = modulesMentioningLoggers(modules.modules, pid);
  const held = modules.access ? await heldObjects(cdp, { paths: read.map((m) => m.path), prototypes: copies.map((copy) => copy.prototypeId!), access: modules.access }) : { ids: [], functionsRead: 0 };
  const loggers: PinoLogger[] = [];
  /** The object above each root (pino's per-root object, whose [[Prototype]] is the copy's shared prototype), and each logger's. */
  const tops: string[] = [];
  const topOf = new Map<string, number>();
  for (const id of held.ids) {
    // A child's prototype is its parent; above the root, pino's per-root object.
    const walk: PinoLogger[] = [];
    let logger = await readLogger(cdp, id);
    let top: string | undefined;
    for (let depth = 0; logger && depth < 20; depth++) {
      walk.push(logger);
      top = logger.prototypeId;
      logger = top ? await readLogger(cdp, top) : undefined;
    }
    for (const seen of walk) topOf.set(seen.id, tops.length);
    tops.push(top ?? '');
    loggers.push(...walk);
  }
  const ids = new Set(await distinct(cdp, loggers.map((l) => l.id)));
  const unique = loggers.filter((l) => ids.has(l.id));
  const copyOfTop = copies.length === 1 ? undefined : await copiesOf(cdp, tops, copies);
  for (const copy of copies) copy.loggers = [];
  for (const logger of unique) {
    const copy = copyOfTop ? copyOfTop.get(topOf.get(logger.id)!) : copies[0];
    copy?.loggers.push(logger);
  }
  for (const copy of copies) copy.loggers = inherited(copy.loggers);
  return { found: unique.length, modulesRead: read.length, functionsRead: held.functionsRead };
}

/** With several copies of pino: each root's copy, by whose shared prototype is above it (compared in the target, === alone). */
async function copiesOf(cdp: TimedCdp, tops: string[], copies: PinoCopy[]): Promise<Map<number, PinoCopy>> {
  const byTop = new Map<number, PinoCopy>();
  // Several copies are rare enough to pay a call per root and copy.
  for (const [index, top] of tops.entries()) {
    const above = top ? (await cdp.own(top)).internal.find((p) => p.name === '[[Prototype]]')?.value?.objectId : undefined;
    if (!above) continue;
    for (const copy of copies) {
      const same = await cdp.post('Runtime.callFunctionOn', { objectId: above, functionDeclaration: 'function tripodSame(other) { return this === other; }', arguments: [{ objectId: copy.prototypeId! }], returnByValue: true, silent: true });
      if (same.result.value === true) byTop.set(index, copy);
    }
  }
  return byTop;
}

/** The program's own modules (none under node_modules) whose file mentions pino, a child or a logger; unreadable files count as mentioning. */
function modulesMentioningLoggers(modules: LoadedModule[], pid: number | undefined): LoadedModule[] {
  const own = modules.filter((m) => !m.path.includes('/node_modules/') && m.path.startsWith('/') && !isTripods(m.path));
  return own.filter((m) => mentionsLogger(m.path, pid)).slice(0, MAX_MODULES);
}

function mentionsLogger(file: string, pid: number | undefined): boolean {
  for (const where of [pid === undefined ? undefined : `/proc/${pid}/root${file}`, file]) {
    if (!where) continue;
    try {
      const text = readFileSync(where);
      return MENTIONS_LOGGER.test(text.subarray(0, MAX_SOURCE_BYTES).toString('latin1'));
    } catch {
      // Not there (another mount namespace, removed since): try the next, else read it.
    }
  }
  return true;
}

/** A logger has pino's chindings or serializers of its own; the per-root objects between a root and the prototype have nothing. */
async function readLogger(cdp: TimedCdp, id: string): Promise<PinoLogger | undefined> {
  const { properties: own, internal } = await cdp.own(id);
  const symbol = (description: string) => own.find((p) => p.symbol?.description === `Symbol(${description})`);
  if (!symbol('pino.serializers') && !symbol('pino.chindings')) return undefined;
  const level = symbol('pino.levelVal')?.value;
  const chindings = symbol('pino.chindings')?.value?.value;
  const levelsId = idOf(own.find((p) => p.name === 'levels'));
  const prototypeId = internal.find((p) => p.name === '[[Prototype]]')?.value?.objectId;
  return {
    id,
    levelVal: level === undefined ? undefined : level.unserializableValue === 'Infinity' ? Infinity : (level.value as number),
    chindings: typeof chindings === 'string' ? chindings : '',
    bindings: parseChindings(typeof chindings === 'string' ? chindings : ''),
    ...(levelsId ? { levels: await levelValues(cdp, levelsId) } : {}),
    ...(prototypeId ? { prototypeId } : {}),
  };
}

/** pino's `levels.values`: { trace: 10, …, audit: 35, silent: Infinity }. */
async function levelValues(cdp: TimedCdp, levelsId: string): Promise<Record<string, number> | undefined> {
  const valuesId = idOf(byName((await cdp.own(levelsId)).properties).values);
  if (!valuesId) return undefined;
  const values: Record<string, number> = {};
  for (const p of (await cdp.own(valuesId)).properties) {
    if (p.value?.type !== 'number') continue;
    values[p.name] = p.value.unserializableValue === 'Infinity' ? Infinity : (p.value.value as number);
  }
  return values;
}

export function parseChindings(chindings: string): Record<string, unknown> {
  try {
    return JSON.parse(`{${chindings.replace(/^,/, '')}}`) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A child without a level (or levels) of its own has its parent's: the logger whose chindings are the longest start of its own. */
function inherited(loggers: PinoLogger[]): PinoLogger[] {
  const sorted = [...loggers].sort((a, b) => a.chindings.length - b.chindings.length);
  for (const logger of sorted) {
    const parent = parentOf(logger, sorted);
    if (!parent) continue;
    if (logger.levelVal === undefined) logger.levelVal = parent.levelVal;
    if (logger.levels === undefined && parent.levels) logger.levels = parent.levels;
  }
  return sorted;
}

export function parentOf(logger: PinoLogger, loggers: PinoLogger[]): PinoLogger | undefined {
  let best: PinoLogger | undefined;
  for (const other of loggers) {
    if (other === logger || other.chindings.length >= logger.chindings.length || !logger.chindings.startsWith(other.chindings)) continue;
    if (!best || other.chindings.length > best.chindings.length) best = other;
  }
  return best;
}
