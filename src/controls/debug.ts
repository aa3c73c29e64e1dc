/**
 * The `debug` package's namespaces, found without the program's help: each copy
 * of debug/src/node.js in the module cache, whose export keeps what is on as a
 * plain string (`namespaces`), read with getProperties. --debug PATTERNS adds to
 * what is on (debug.enable alone replaces it), =PATTERNS replaces, - turns all
 * off; the change goes through the copy's own enable().
 */
import { byName } from './registry-access';
import type { ControlChange, LoggerAdapter, LoggerControl, PlannedChange } from './logger-control';
import { type LoadedModule, type ModuleCache, packageDir } from './module-cache';
import type { TimedCdp } from './timed-cdp';

const ENTRY = '/debug/src/node.js';

interface DebugCopy {
  dir: string;
  /** Its export, createDebug. */
  id: string;
  namespaces: string;
}

export const debugAdapter: LoggerAdapter = {
  name: 'debug',
  async find(cdp, modules) {
    const copies = (await Promise.all(modules.matching(ENTRY).map((m) => findCopy(cdp, modules, m)))).filter((c): c is DebugCopy => c !== undefined);
    return copies.length === 0 ? undefined : new DebugControl(cdp, copies);
  },
};

async function findCopy(cdp: TimedCdp, modules: ModuleCache, entry: LoadedModule): Promise<DebugCopy | undefined> {
  const id = await modules.exportsOf(entry);
  if (!id) return undefined;
  const namespaces = byName((await cdp.own(id)).properties).namespaces?.value?.value;
  return { dir: packageDir(entry.path, '/src/node.js'), id, namespaces: typeof namespaces === 'string' ? namespaces : '' };
}

/** What --debug asks for, given what is on: PATTERNS adds, =PATTERNS replaces, - turns all off. */
export function debugNamespaces(current: string, asked: string): string {
  if (asked.trim() === '-') return '';
  if (asked.startsWith('=')) return asked.slice(1).trim();
  const on = current.split(/[\s,]+/).filter(Boolean);
  for (const pattern of asked.split(/[\s,]+/).filter(Boolean)) if (!on.includes(pattern)) on.push(pattern);
  return on.join(',');
}

const ENABLE = `function tripodEnableDebug(restore, key, namespaces, createDebug) {
  if (!this.debugOriginals) this.debugOriginals = { __proto__: null };
  var old = typeof createDebug.namespaces === 'string' ? createDebug.namespaces : '';
  if (restore) {
    if (!(key in this.debugOriginals)) return null;
    namespaces = this.debugOriginals[key];
    delete this.debugOriginals[key];
  } else if (!(key in this.debugOriginals)) this.debugOriginals[key] = old;
  createDebug.enable(namespaces);
  return { old: old, value: namespaces };
}`;

class DebugControl implements LoggerControl {
  readonly name = 'debug';
  readonly title = 'debug namespaces';

  constructor(
    private readonly cdp: TimedCdp,
    private readonly copies: DebugCopy[],
  ) {}

  lines(): string[] {
    return this.copies.map((copy) => `enabled: ${copy.namespaces || '(none)'}${this.copies.length > 1 ? `    in ${copy.dir}` : ''}`);
  }

  plan(_selector: string, asked: string): PlannedChange | string {
    if (asked.trim() === '' || asked.trim() === '=') return 'give the namespaces to turn on (express:*,-express:router), =PATTERNS to replace what is on, or - to turn all off';
    return { control: this, apply: (registryId) => this.enable(registryId, (copy) => debugNamespaces(copy.namespaces, asked), false) };
  }

  restore(registryId: string): Promise<ControlChange[]> {
    return this.enable(registryId, () => '', true);
  }

  private async enable(registryId: string, namespacesOf: (copy: DebugCopy) => string, restore: boolean): Promise<ControlChange[]> {
    const changes: ControlChange[] = [];
    for (const copy of this.copies) {
      const { result, exceptionDetails } = await this.cdp.post('Runtime.callFunctionOn', {
        objectId: registryId,
        functionDeclaration: ENABLE,
        arguments: [{ value: restore }, { value: copy.dir }, { value: namespacesOf(copy) }, { objectId: copy.id }],
        returnByValue: true,
        silent: true,
      });
      if (exceptionDetails) {
        changes.push({ kind: 'debug', name: 'debug', old: copy.namespaces, new: namespacesOf(copy), module: copy.dir, errors: [exceptionDetails.exception?.description?.split('\n')[0] ?? exceptionDetails.text] });
        continue;
      }
      const outcome = result.value as { old: string; value: string } | null;
      if (outcome) changes.push({ kind: 'debug', name: 'debug', old: outcome.old || '(none)', new: outcome.value || '(none)', module: copy.dir });
    }
    return changes;
  }
}
