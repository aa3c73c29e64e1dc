/**
 * Tab completion: command names, module paths (of the scripts the thread has
 * loaded) and, in eval and exec, property names asked of the target — read by
 * descriptor in a realm of tripod's own, never through a getter or Proxy trap.
 */
import { CONSOLE_COMMANDS, commandNamed } from './command-table';
import { displayPath, listScripts } from './module-catalog';
import { IMPORTS_KEY } from './code-commands';
import { MONITOR_GROUP } from './module-scope';
import type { MonitorSession } from './session';

export async function complete(session: MonitorSession, line: string): Promise<[string[], string]> {
  const space = line.indexOf(' ');
  if (space === -1) return [CONSOLE_COMMANDS.map((c) => c.name).filter((name) => name.startsWith(line)), line];
  const command = commandNamed(line.slice(0, space));
  const rest = line.slice(space + 1);
  if (command?.name === 'help') return [CONSOLE_COMMANDS.map((c) => c.name).filter((name) => name.startsWith(rest)), rest];
  if (command?.completes === 'module') return moduleCompletions(session, rest);
  if (command?.completes === 'expression') return propertyCompletions(session, rest);
  return [[], rest];
}

async function moduleCompletions(session: MonitorSession, word: string): Promise<[string[], string]> {
  const scripts = session.scripts.get(session.thread.threadId) ?? (await listScripts(session, 'completion'));
  const own = scripts.filter((script) => !script.path.includes('/node_modules/') || word.includes('node_modules'));
  const paths = own.map((script) => displayPath(session, script.path));
  return [paths.filter((p) => p.startsWith(word) || p.includes(`/${word}`)).sort(), word];
}

/** `foo.ba` completes from foo's own and inherited keys; `fo` from the globals and what import made available. */
async function propertyCompletions(session: MonitorSession, text: string): Promise<[string[], string]> {
  const match = /((?:[A-Za-z_$][\w$]*\.)*)([A-Za-z_$][\w$]*)?$/.exec(text);
  if (!match) return [[], ''];
  const chain = match[1] ? match[1].slice(0, -1).split('.') : [];
  const partial = match[2] ?? '';
  const { result } = await session.answer(
    session.thread.client.post('Runtime.evaluate', {
      expression: `(${keysAlong.toString()})(${JSON.stringify(chain)}, ${JSON.stringify(IMPORTS_KEY)})`,
      returnByValue: true,
      objectGroup: MONITOR_GROUP,
      silent: true,
    }),
    'completion',
  );
  const keys = Array.isArray(result.value) ? (result.value as string[]) : [];
  const word = `${match[1]}${partial}`;
  return [[...new Set(keys)].filter((key) => key.startsWith(partial)).sort().map((key) => `${match[1]}${key}`), word];
}

/** Runs in the target, stringified: string keys along a chain of data properties, from the holder and then the global. */
function keysAlong(chain: string[], importsKey: string): string[] | undefined {
  const load = (process as any).getBuiltinModule;
  if (typeof load !== 'function') return undefined;
  const types = load('node:util').types;
  const { Reflect } = load('node:vm').runInNewContext('({ Reflect })');
  const isObject = (o: unknown) => o !== null && (typeof o === 'object' || typeof o === 'function');
  const data = (o: any, key: string): any => {
    for (let at = o, hops = 0; isObject(at) && !types.isProxy(at) && hops < 20; at = Reflect.getPrototypeOf(at), hops++) {
      const d = Reflect.getOwnPropertyDescriptor(at, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  const roots = [data(globalThis, Symbol.for(importsKey) as unknown as string), globalThis].filter(isObject);
  let at: any = chain.length === 0 ? undefined : roots.map((root) => data(root, chain[0])).find(isObject);
  for (let i = 1; i < chain.length && at !== undefined; i++) at = data(at, chain[i]);
  const from = chain.length === 0 ? roots : isObject(at) ? [at] : [];
  const keys: string[] = [];
  for (const start of from) {
    for (let o = start, hops = 0; isObject(o) && !types.isProxy(o) && hops < 20 && keys.length < 2000; o = Reflect.getPrototypeOf(o), hops++) {
      const own = Reflect.ownKeys(o);
      for (let i = 0; i < own.length; i++) if (typeof own[i] === 'string') keys[keys.length] = own[i];
    }
  }
  return keys;
}
