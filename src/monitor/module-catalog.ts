/**
 * The scripts a thread has loaded, as the Debugger domain lists them, and module
 * names matched against them. The domain is never held: enable, the asks, and
 * disable are sent together, so the target replays its scripts once and is left
 * with the debugger off even if tripod goes away meanwhile (a held Debugger slows
 * async code down: docs/design.md).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-layout';
import type { EventParams } from '../capture/cdp';
import { CommandFailed, type LoadedScript, type MonitorSession, scriptKey } from './session';

/** The query of the URLs `reload FILE as NAME` imports an ES module under. */
export const FRESH_INSTANCE_QUERY = '?tripod-reload=';

/** Lists the current thread's scripts afresh; also fetches the sources of `sourcesOf` in the same turn of the debugger. */
export async function listScripts(session: MonitorSession, what: string): Promise<LoadedScript[]> {
  const client = session.thread.client;
  const parsed: Array<EventParams<'Debugger.scriptParsed'>> = [];
  const onParsed = (event: EventParams<'Debugger.scriptParsed'>) => parsed.push(event);
  client.on('Debugger.scriptParsed', onParsed);
  try {
    const enabled = client.post('Debugger.enable', {});
    const disabled = client.post('Debugger.disable');
    await session.answer(Promise.all([enabled, disabled]), what);
  } finally {
    client.off('Debugger.scriptParsed', onParsed);
  }
  const scripts = dedupe(parsed.map(loadedScript).filter((script): script is LoadedScript => script !== undefined));
  session.scripts.set(session.thread.threadId, scripts);
  return scripts;
}

/** The source of one script, fetched once per session (the debugger on for the ask alone). */
export async function scriptSource(session: MonitorSession, script: LoadedScript, what: string): Promise<string> {
  const key = scriptKey(session.thread.threadId, script.scriptId);
  const known = session.sources.get(key);
  if (known !== undefined) return known;
  const client = session.thread.client;
  const enabled = client.post('Debugger.enable', {});
  const source = client.post('Debugger.getScriptSource', { scriptId: script.scriptId });
  const disabled = client.post('Debugger.disable');
  const [, answer] = await session.answer(Promise.all([enabled, source, disabled]), what);
  session.sources.set(key, answer.scriptSource);
  return answer.scriptSource;
}

function loadedScript(event: EventParams<'Debugger.scriptParsed'>): LoadedScript | undefined {
  const { url, scriptId } = event;
  if (!url || url.startsWith('node:') || url.startsWith('evalmachine')) return undefined;
  // The fresh instances `reload FILE as NAME` made are not the program's: who/whoall/list show the program's own.
  if (url.includes(FRESH_INSTANCE_QUERY)) return undefined;
  const filePath = url.startsWith('file://') ? safeFilePath(url) : url.startsWith('/') ? url : undefined;
  if (filePath === undefined) return undefined;
  if (filePath.startsWith(`${PACKAGE_ROOT}/dist/`) || filePath.startsWith(`${PACKAGE_ROOT}/src/`)) return undefined;
  return { scriptId, url, path: filePath, isModule: Boolean(event.isModule) };
}

function safeFilePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/** A file reported twice (a script compiled again) counts once: its newest script. */
function dedupe(scripts: LoadedScript[]): LoadedScript[] {
  const byPath = new Map<string, LoadedScript>();
  for (const script of scripts) byPath.set(script.path, script);
  return [...byPath.values()];
}

function isDependency(script: LoadedScript): boolean {
  return script.path.includes('/node_modules/');
}

/** The app's own first, then (with --all) its dependencies; paths relative to the target's cwd where below it. */
export function moduleLines(session: MonitorSession, scripts: LoadedScript[], all: boolean): string[] {
  const own = scripts.filter((script) => !isDependency(script));
  const deps = scripts.filter(isDependency);
  const line = (script: LoadedScript) => `  ${displayPath(session, script.path)}${script.isModule ? '  (ES module)' : ''}`;
  const lines = [`${own.length} of the program's own modules${all ? '' : ` (${deps.length} more in node_modules: modules --all)`}:`, ...own.map(line)];
  if (all) lines.push(`${deps.length} in node_modules:`, ...deps.map(line));
  return lines;
}

export function displayPath(session: MonitorSession, file: string): string {
  const relative = path.relative(session.cwd, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : `./${relative}`;
}

/**
 * The one script `name` names: a path suffix (cache.js, lib/cache.js), ./relative
 * to the target's cwd, or absolute; ".js" may be left out. None or several: one
 * line listing the close ones.
 */
export async function findModule(session: MonitorSession, name: string, what: string): Promise<LoadedScript> {
  if (!name) throw new CommandFailed(`${what}: name a module, e.g. ${what} ./lib/cache.js (modules lists them)`);
  const cached = session.scripts.get(session.thread.threadId);
  const found = cached ? matching(session, cached, name) : [];
  if (found.length === 1) return found[0];
  // Not (or not only) among what was listed before: the program may have loaded more since.
  const scripts = await listScripts(session, what);
  const matches = matching(session, scripts, name);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new CommandFailed(`${what}: ${JSON.stringify(name)} matches ${matches.length} modules: ${matches.slice(0, 6).map((s) => displayPath(session, s.path)).join(', ')}; give more of the path`);
  }
  const close = closeMatches(scripts, name).map((s) => displayPath(session, s.path));
  const hint = close.length > 0 ? `; close: ${close.join(', ')}` : '; modules lists the loaded ones';
  throw new CommandFailed(`${what}: no loaded module matches ${JSON.stringify(name)}${hint}`);
}

function matching(session: MonitorSession, scripts: LoadedScript[], name: string): LoadedScript[] {
  const candidates = [name, `${name}.js`, `${name}.mjs`, `${name}.cjs`];
  if (path.isAbsolute(name) || name.startsWith('./') || name.startsWith('../')) {
    const wanted = new Set(candidates.map((candidate) => path.resolve(session.cwd, candidate)));
    return scripts.filter((script) => wanted.has(script.path));
  }
  const exact = scripts.filter((script) => candidates.some((candidate) => script.path === candidate || script.path.endsWith(`/${candidate}`)));
  // "cache.js" names the app's own cache.js even when a dependency has one too.
  const own = exact.filter((script) => !isDependency(script));
  return own.length > 0 ? own : exact;
}

function closeMatches(scripts: LoadedScript[], name: string): LoadedScript[] {
  const stem = path.basename(name).replace(/\.[cm]?js$/, '').toLowerCase();
  if (!stem) return [];
  const near = scripts.filter((script) => {
    const base = path.basename(script.path).replace(/\.[cm]?[jt]s$/, '').toLowerCase();
    return base.includes(stem) || stem.includes(base) || editDistance(base, stem) <= 2;
  });
  return near.sort((a, b) => Number(isDependency(a)) - Number(isDependency(b))).slice(0, 5);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length];
}
