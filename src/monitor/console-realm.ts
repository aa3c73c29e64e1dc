/**
 * The console's readers in the target — the finder of a module's functions
 * (module-scope.ts) and the completion's key lister (completion.ts) — compiled
 * once per session and thread in a fresh realm of tripod's (capture/fresh-realm.ts),
 * so their Reflect, Function, Array and String are that realm's, whatever the
 * program replaced in its own; util.types' natives come from Node's
 * `internalBinding('types')`, and the module cache from Node's internal loader
 * (node-internals.ts). The program's objects reach them as arguments.
 */
import { bindingOf, callVerified, compileIn, type FreshRealm, FreshRealmTooOld, FreshRealmUnavailable, withFreshRealm } from '../capture/fresh-realm';
import { findModuleCache, ownProperties, typesNativeIn } from '../capture/node-internals';
import { CommandFailed, type MonitorSession } from './session';

export interface ConsoleRealm {
  /** findFunctions (module-scope.ts), compiled in the fresh realm. */
  finder: string;
  /** keysAlong (completion-keys.ts), compiled in the fresh realm. */
  keys: string;
  /** The program's global object. */
  global: string;
  /** require.cache (Node's Module._cache), where the internal loader was found. */
  cache?: string;
  isProxy: string;
  isError: string;
}

/** The readers' sources, given by the modules that call them (a function stringified, its whole text). */
export interface ReaderSources {
  finder: string;
  keys: string;
}

const realms = new WeakMap<MonitorSession, Map<number, Promise<ConsoleRealm>>>();

/** This thread's realm, made at its first use in the session; a failure is tried again at the next. */
export function consoleRealm(session: MonitorSession, sources: ReaderSources): Promise<ConsoleRealm> {
  const byThread = realms.get(session) ?? new Map<number, Promise<ConsoleRealm>>();
  realms.set(session, byThread);
  const threadId = session.thread.threadId;
  const known = byThread.get(threadId);
  if (known) return known;
  const made = makeConsoleRealm(session, sources).catch((error: unknown) => {
    if (!(error instanceof FreshRealmUnavailable)) throw error;
    const hint = error instanceof FreshRealmTooOld ? '; Node 20.18+, 22.8+ or 24 has what it needs' : '';
    throw new CommandFailed(`the console cannot read this thread's modules without the program's own built-ins (${error.message}${hint})`);
  });
  byThread.set(threadId, made);
  made.catch(() => byThread.delete(threadId));
  return made;
}

async function makeConsoleRealm(session: MonitorSession, sources: ReaderSources): Promise<ConsoleRealm> {
  const client = session.thread.client;
  return withFreshRealm(client, (realm) => readersIn(session, realm, sources));
}

async function readersIn(session: MonitorSession, realm: FreshRealm, sources: ReaderSources): Promise<ConsoleRealm> {
  const client = session.thread.client;
  const compiled = (source: string) => compileIn(client, realm, [], `return (${source});`).then((wrapper) => callVerified(client, wrapper, []));
  const [finder, keys, types, cache] = await Promise.all([
    compiled(sources.finder),
    compiled(sources.keys),
    bindingOf(client, realm, 'types'),
    findModuleCache(client),
  ]);
  const typeNatives = types ? (await ownProperties(client, types)).result : [];
  const isProxy = typesNativeIn(typeNatives, 'isProxy');
  const isError = typesNativeIn(typeNatives, 'isNativeError');
  if (!finder || !keys || !isProxy || !isError) throw new FreshRealmUnavailable("Node's util.types natives were not found");
  return { finder, keys, global: realm.global, isProxy, isError, ...(cache ? { cache } : {}) };
}
