/**
 * The program's loaded CommonJS modules (require.cache), reached without the
 * program's help: the inspector's command-line API has Node's own `require`,
 * whose cache is the one the program's modules are in — ES modules too, since a
 * package an ES module imports from CommonJS is loaded into it. Read with
 * getProperties only.
 */
import { byName, idOf } from './registry-access';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

export interface LoadedModule {
  path: string;
  /** Object id of the module record (its `exports` is read on demand). */
  id: string;
}

export class ModuleCache {
  private constructor(
    private readonly cdp: TimedCdp,
    readonly modules: LoadedModule[],
  ) {}

  static async read(cdp: TimedCdp): Promise<ModuleCache> {
    const { result, exceptionDetails } = await cdp.post('Runtime.evaluate', { expression: 'require.cache', includeCommandLineAPI: true, objectGroup: CONTROLS_GROUP, silent: true });
    if (exceptionDetails || !result.objectId) return new ModuleCache(cdp, []);
    const { properties } = await cdp.own(result.objectId);
    const modules = properties.filter((p) => p.value?.objectId).map((p) => ({ path: p.name, id: p.value!.objectId! }));
    return new ModuleCache(cdp, modules);
  }

  /** Every loaded copy of a package's file, e.g. ending "/pino/pino.js". */
  matching(ending: string): LoadedModule[] {
    return this.modules.filter((m) => m.path.endsWith(ending));
  }

  async exportsOf(module: LoadedModule): Promise<string | undefined> {
    return idOf(byName((await this.cdp.own(module.id)).properties).exports);
  }
}

/** "/app/node_modules/pino/pino.js" -> "/app/node_modules/pino": where one copy of a package is. */
export function packageDir(path: string, ending: string): string {
  return path.slice(0, path.length - ending.length);
}
