/**
 * A module's top level, found without running the program's code. Its
 * top-level bindings live in a context that every function defined there holds
 * on to: such a function's [[Scopes]] internal property (Runtime.getProperties)
 * ends with that context — "Closure" for a CommonJS module's wrapper, "Module"
 * for an ES module. The function is looked for among a CommonJS module's exports
 * (read from the require cache by descriptor), and else among every function
 * of the heap (Runtime.queryObjects: a full GC, measured in BENCHMARKS.md),
 * narrowed in the target by name and source text, then confirmed by its
 * [[FunctionLocation]]. A binding no function refers to lives on no context:
 * V8 keeps it in a register and it is gone once the module ran.
 */
import { functionInternals, scopeChain, topLevelEntry } from '../capture/closure-scopes';
import { callDeclaration } from '../capture/fresh-realm';
import { prototypeOfMade } from '../capture/node-internals';
import { keysAlong } from './completion-keys';
import { consoleRealm } from './console-realm';
import { scriptSource } from './module-catalog';
import { type LoadedScript, type MonitorSession, scriptKey } from './session';

/** Group of the remote objects the console holds: released when the session ends (the connection closes). */
export const MONITOR_GROUP = 'tripod-monitor';
/** Candidate functions confirmed per look-up: each costs one getProperties. */
const MAX_CANDIDATES = 40;

export interface ModuleScope {
  /** The top-level context's variables, as a scope object; absent when no function of the module holds one. */
  scopeId?: string;
  /** A CommonJS module's module.exports. */
  exportsId?: string;
  kind: 'CommonJS' | 'ES module';
}

export async function moduleScope(session: MonitorSession, script: LoadedScript, what: string): Promise<ModuleScope> {
  const key = scriptKey(session.thread.threadId, script.scriptId);
  const known = session.moduleScopes.get(key) as ModuleScope | undefined;
  if (known) return known;
  const kind = script.isModule ? 'ES module' : 'CommonJS';
  const source = await scriptSource(session, script, what);
  const names = identifiersOf(source);
  const fromCache = script.isModule ? undefined : await candidates(session, what, [script.path, names, source, undefined]);
  let scopeId = fromCache ? await confirmedScope(session, fromCache.functions, script, what) : undefined;
  if (!scopeId) {
    const heap = await queriedCandidates(session, names, source, what);
    scopeId = await confirmedScope(session, heap, script, what);
  }
  const found: ModuleScope = { kind, ...(scopeId ? { scopeId } : {}), ...(fromCache?.exportsId ? { exportsId: fromCache.exportsId } : {}) };
  session.moduleScopes.set(key, found);
  return found;
}

/** Every identifier of the source: a function defined in it has one of them as its name. */
function identifiersOf(source: string): string[] {
  return [...new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? [])];
}

async function queriedCandidates(session: MonitorSession, names: string[], source: string, what: string): Promise<string[]> {
  const client = session.thread.client;
  // %Function.prototype%, from a function made by syntax: the global `Function` is the program's to replace.
  const prototype = await session.answer(prototypeOfMade(client, '(function () {})'), what);
  if (!prototype) return [];
  const heap = await session.answer(client.post('Runtime.queryObjects', { prototypeObjectId: prototype, objectGroup: MONITOR_GROUP }), what);
  try {
    const found = await candidates(session, what, [undefined, names, source, { objectId: heap.objects.objectId! }]);
    return found?.functions ?? [];
  } finally {
    void client.post('Runtime.releaseObject', { objectId: heap.objects.objectId! }).catch(() => {});
  }
}

/** Runs the finder in the target, in tripod's realm there; its answer is an array: [exports or null, ...functions]. */
async function candidates(session: MonitorSession, what: string, args: [string | undefined, string[], string, { objectId: string } | undefined]): Promise<{ exportsId?: string; functions: string[] } | undefined> {
  const client = session.thread.client;
  const realm = await session.answer(consoleRealm(session, READERS), what);
  const [filename, names, source, heap] = args;
  const call = await session.answer(
    client.post('Runtime.callFunctionOn', {
      objectId: realm.finder,
      functionDeclaration: callDeclaration(8),
      arguments: [
        { value: filename ?? null },
        { value: JSON.stringify(names) },
        { value: source },
        { value: MAX_CANDIDATES },
        heap ?? { value: null },
        realm.cache ? { objectId: realm.cache } : { value: null },
        { objectId: realm.isProxy },
        { objectId: realm.isError },
      ],
      objectGroup: MONITOR_GROUP,
      silent: true,
    }),
    what,
  );
  if (call.exceptionDetails || !call.result.objectId) return undefined;
  const listed = await session.answer(client.post('Runtime.getProperties', { objectId: call.result.objectId, ownProperties: true }), what);
  const element = (name: string) => listed.result.find((property) => property.name === name)?.value;
  const exportsObject = element('0');
  const functions: string[] = [];
  for (let i = 1; i <= MAX_CANDIDATES; i++) {
    const fn = element(String(i));
    if (!fn?.objectId) break;
    functions.push(fn.objectId);
  }
  return { ...(exportsObject?.objectId ? { exportsId: exportsObject.objectId } : {}), functions };
}

/** The first candidate defined in `script` gives its top-level scope object. */
async function confirmedScope(session: MonitorSession, functions: string[], script: LoadedScript, what: string): Promise<string | undefined> {
  const client = session.thread.client;
  const listings = await session.answer(Promise.all(functions.map((objectId) => client.post('Runtime.getProperties', { objectId, ownProperties: true }).catch(() => undefined))), what);
  for (const listing of listings) {
    const { scriptId, scopesId } = functionInternals(listing);
    if (scriptId !== script.scriptId || !scopesId) continue;
    const scopeId = await topLevelScope(session, scopesId, what);
    if (scopeId) return scopeId;
  }
  return undefined;
}

async function topLevelScope(session: MonitorSession, scopesId: string, what: string): Promise<string | undefined> {
  const client = session.thread.client;
  const outermost = topLevelEntry(await scopeChain((params) => session.answer(client.post('Runtime.getProperties', params), what), scopesId));
  if (!outermost) return undefined;
  // A [[Scopes]] entry is the inspector's own {description, object}: its object is the scope's variables.
  const scope = await session.answer(
    client.post('Runtime.callFunctionOn', { objectId: outermost.id, functionDeclaration: 'function () { return this.object; }', objectGroup: MONITOR_GROUP, silent: true }),
    what,
  );
  return scope.result.objectId;
}

/**
 * Runs in the target, compiled in tripod's realm there (console-realm.ts): its
 * Reflect, Function, Set, Array and String are that realm's, and it calls
 * util.types' natives, never a getter or a Proxy trap of the program's.
 * Returns [exports or null, ...up to `max` candidate functions].
 */
function findFunctions(filename: string | null, namesJson: string, source: string, max: number, heap: ArrayLike<unknown> | null, cache: object | null, isProxy: (o: unknown) => boolean, isError: (o: unknown) => boolean): unknown {
  const apply = Reflect.apply;
  const functionText = Function.prototype.toString;
  const indexOf = String.prototype.indexOf;
  const dataOf = (o: any, key: PropertyKey): any => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || isProxy(o)) return undefined;
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    return d && 'value' in d ? d.value : undefined;
  };
  // getProperties will describe a candidate's own values: none may be an Error (its description reads getters) or a Proxy.
  const plainValued = (o: any): boolean => {
    const keys = Reflect.ownKeys(o);
    for (let i = 0; i < keys.length && i < 50; i++) {
      const v = dataOf(o, keys[i]);
      if (v !== null && (typeof v === 'object' || typeof v === 'function') && (isProxy(v) || isError(v))) return false;
    }
    return keys.length <= 50;
  };
  const usable = (f: any) => typeof f === 'function' && !isProxy(f) && plainValued(f);
  const out = new Array();
  out[0] = null;
  let count = 0;
  const add = (f: any) => {
    if (count < max && usable(f)) out[++count] = f;
  };
  if (filename !== null && cache !== null) {
    const entry = dataOf(cache, filename);
    const exported = dataOf(entry, 'exports');
    if (exported !== null && (typeof exported === 'object' || typeof exported === 'function') && !isProxy(exported) && !isError(exported)) {
      out[0] = exported;
      add(exported);
      const keys = Reflect.ownKeys(exported);
      for (let i = 0; i < keys.length && i < 200; i++) add(dataOf(exported, keys[i]));
    }
  }
  if (heap !== null) {
    // Parsed here: an array passed by value would be the program's, and iterating it would call its Array iterator.
    const wanted = new Set(JSON.parse(namesJson) as string[]);
    const length = dataOf(heap, 'length') as number;
    for (let i = 0; i < length && count < max; i++) {
      const f = dataOf(heap, i);
      const name = typeof f === 'function' && !isProxy(f) ? dataOf(f, 'name') : undefined;
      if (typeof name !== 'string' || !wanted.has(name)) continue;
      let text = '';
      try {
        text = apply(functionText, f, []);
      } catch {}
      if (text.length > 0 && apply(indexOf, source, [text]) !== -1) add(f);
    }
  }
  return out;
}

/** The console's readers, compiled in tripod's realm in the target. */
export const READERS = { finder: findFunctions.toString(), keys: keysAlong.toString() };
