/**
 * Tab completion: command names, module paths (of the scripts the thread has
 * loaded) and, in eval and exec, property names asked of the target — read by
 * descriptor in a realm of tripod's own (completion-keys.ts), never through a getter or Proxy trap.
 */
import { CONSOLE_COMMANDS, commandNamed } from './command-table';
import { displayPath, listScripts } from './module-catalog';
import { IMPORTS_KEY } from './code-commands';
import { MONITOR_GROUP, READERS } from './module-scope';
import { consoleRealm } from './console-realm';
import { callDeclaration } from '../capture/fresh-realm';
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
  const realm = await session.answer(consoleRealm(session, READERS), 'completion');
  const { result } = await session.answer(
    session.thread.client.post('Runtime.callFunctionOn', {
      objectId: realm.keys,
      functionDeclaration: callDeclaration(4),
      arguments: [{ value: chain }, { value: IMPORTS_KEY }, { objectId: realm.global }, { objectId: realm.isProxy }],
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
