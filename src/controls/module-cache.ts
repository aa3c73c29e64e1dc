/**
 * The program's loaded CommonJS modules (require.cache), reached without the
 * program's help: Node's Module._cache, found through its internal loader
 * (node-internals.ts), is the cache the program's modules are in — ES modules
 * too, since a package an ES module imports from CommonJS is loaded into it.
 * The paths come by value from the native Object.keys (a listing of a thousand
 * module records with getProperties stopped the program ~15 ms); the records of
 * the few modules read are fetched afterwards, through the native
 * getOwnPropertyDescriptor, and their exports with getProperties. Natives are
 * verified by V8's description.
 */
import { findModuleCache, nativeIn, prototypeOfMade } from '../capture/node-internals';
import { byName, idOf } from './registry-access';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

export interface LoadedModule {
  path: string;
}

/** require.cache and the natives of the global Object, each verified by V8's description: what reads in the target call. */
export interface Access {
  cacheId: string;
  describe: string;
  names: string;
  prototypeOf: string;
}

/** Runs on the verified Object.getOwnPropertyDescriptor: the records of the paths asked for, by data descriptors only, kept by index in a null-prototype object (an array's index set could run a setter on Array.prototype). */
const RECORDS = `function tripodModuleRecords(cache, paths) {
  var out = { __proto__: null };
  for (var i = 0; i < paths.length; i++) {
    var d = this(cache, paths[i]);
    out[i] = d && 'value' in d && !('get' in d) ? d.value : undefined;
  }
  return out;
}`;

export class ModuleCache {
  private readonly records = new Map<string, Promise<string | undefined>>();

  private constructor(
    private readonly cdp: TimedCdp,
    readonly modules: LoadedModule[],
    readonly access: Access | undefined,
  ) {}

  static async read(cdp: TimedCdp): Promise<ModuleCache> {
    const [cacheId, natives] = await Promise.all([cdp.internals().then((found) => (found.requireBuiltin ? findModuleCache(cdp, found.requireBuiltin) : undefined)), objectNatives(cdp)]);
    if (!cacheId || !natives) return new ModuleCache(cdp, [], undefined);
    const keys = await cdp.post('Runtime.callFunctionOn', { objectId: natives.keys, functionDeclaration: 'function tripodKeys(o) { return this(o); }', arguments: [{ objectId: cacheId }], returnByValue: true, silent: true });
    const paths = Array.isArray(keys.result.value) ? (keys.result.value as unknown[]).filter((p): p is string => typeof p === 'string') : [];
    return new ModuleCache(cdp, paths.map((path) => ({ path })), { cacheId, describe: natives.describe, names: natives.names, prototypeOf: natives.prototypeOf });
  }

  /** Every loaded copy of a package's file, e.g. ending "/pino/pino.js". */
  matching(ending: string): LoadedModule[] {
    return this.modules.filter((m) => m.path.endsWith(ending));
  }

  find(path: string): LoadedModule | undefined {
    return this.modules.find((m) => m.path === path);
  }

  /** The module records (Module objects) of several modules, in one call; undefined for one that is not a plain data entry. */
  async recordsOf(modules: LoadedModule[]): Promise<Array<string | undefined>> {
    const missing = modules.filter((m) => !this.records.has(m.path));
    if (missing.length > 0) {
      const fetched = this.fetch(missing.map((m) => m.path));
      missing.forEach((m, i) => this.records.set(m.path, fetched.then((ids) => ids[i])));
    }
    return Promise.all(modules.map((m) => this.records.get(m.path)!));
  }

  async exportsOf(module: LoadedModule): Promise<string | undefined> {
    const [record] = await this.recordsOf([module]);
    return record ? idOf(byName((await this.cdp.own(record)).properties).exports) : undefined;
  }

  private async fetch(paths: string[]): Promise<Array<string | undefined>> {
    if (!this.access) return paths.map(() => undefined);
    const { result } = await this.cdp.post('Runtime.callFunctionOn', {
      objectId: this.access.describe,
      functionDeclaration: RECORDS,
      arguments: [{ objectId: this.access.cacheId }, { value: paths }],
      objectGroup: CONTROLS_GROUP,
      silent: true,
    });
    if (!result.objectId) return paths.map(() => undefined);
    const listed = byName((await this.cdp.own(result.objectId)).properties);
    return paths.map((_, i) => {
      const value = listed[String(i)]?.value;
      return value?.type === 'object' && value.subtype !== 'proxy' ? value.objectId : undefined;
    });
  }
}

/** Object.keys, getOwnPropertyDescriptor, getOwnPropertyNames and getPrototypeOf, through an object literal's prototype (whatever the program did to the global Object). */
async function objectNatives(cdp: TimedCdp): Promise<{ keys: string; describe: string; names: string; prototypeOf: string } | undefined> {
  const prototype = await prototypeOfMade(cdp, '({})');
  if (!prototype) return undefined;
  const object = (await cdp.own(prototype)).properties.find((p) => p.name === 'constructor')?.value;
  if (object?.type !== 'function' || object.description !== 'function Object() { [native code] }' || !object.objectId) return undefined;
  const statics = (await cdp.own(object.objectId)).properties;
  const keys = nativeIn(statics, 'keys');
  const describe = nativeIn(statics, 'getOwnPropertyDescriptor');
  const names = nativeIn(statics, 'getOwnPropertyNames');
  const prototypeOf = nativeIn(statics, 'getPrototypeOf');
  return keys && describe && names && prototypeOf ? { keys, describe, names, prototypeOf } : undefined;
}

/** "/app/node_modules/pino/pino.js" -> "/app/node_modules/pino": where one copy of a package is. */
export function packageDir(path: string, ending: string): string {
  return path.slice(0, path.length - ending.length);
}
