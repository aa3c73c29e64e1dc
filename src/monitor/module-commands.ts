/**
 * The commands that look at the program's modules: modules, who, whoall and
 * list. They read through the Debugger's script list and sources and through
 * the capture's in-target reader (bounded by --depth, --max-elements,
 * --max-string, redacted by --redact): none of them runs the program's code.
 */
import { InTargetListing, installReader, readInTarget } from '../capture/in-target-reader';
import { redactCredentials, secretNameTest } from '../capture/redact';
import { ValueReader, type Variables } from '../capture/values';
import type { Value } from '../record/sample';
import { renderValue } from '../report/render-value';
import { terminalSafe } from '../report/terminal-text';
import { displayPath, findModule, listScripts, moduleLines, scriptSource } from './module-catalog';
import { moduleScope } from './module-scope';
import { CommandFailed, type LoadedScript, type MonitorSession, type Outcome } from './session';

/** Source lines `list` shows around the one asked for. */
const LIST_AROUND = 5;

export async function modulesCommand(session: MonitorSession, args: string): Promise<Outcome> {
  const all = args.trim() === '--all';
  if (args.trim() && !all) throw new CommandFailed(`modules: ${JSON.stringify(args.trim())} is not an option of modules; use modules or modules --all`);
  const started = performance.now();
  const scripts = await listScripts(session, 'modules');
  return { text: moduleLines(session, scripts, all).join('\n'), stoppedMs: performance.now() - started };
}

export async function whoCommand(session: MonitorSession, args: string, withValues: boolean): Promise<Outcome> {
  const what = withValues ? 'whoall' : 'who';
  const script = await findModule(session, args.trim(), what);
  const started = performance.now();
  const { top, exported, kind } = await topLevel(session, script, withValues, what);
  const stoppedMs = performance.now() - started;
  const head = `${displayPath(session, script.path)} (${kind})`;
  const lines = [head];
  const names = Object.keys(top.variables);
  if (names.length === 0) lines.push('  no top-level bindings that a function of the module refers to');
  for (const name of names) lines.push(`  ${binding(name, top.variables[name], withValues)}`);
  if (top.more) lines.push(`  … ${top.more} more`);
  if (exported) {
    const keys = Object.keys(exported.variables);
    lines.push(keys.length === 0 ? 'module.exports: (no own enumerable properties)' : 'module.exports:');
    for (const name of keys) lines.push(`  ${binding(name, exported.variables[name], withValues)}`);
    if (exported.more) lines.push(`  … ${exported.more} more`);
  }
  return { text: terminalSafe(lines.join('\n')), stoppedMs };
}

function binding(name: string, value: Value, withValues: boolean): string {
  if (withValues) return `${name} = ${renderValue(value, '  ')}`;
  return `${name.padEnd(20)} ${typeName(value)}`;
}

function typeName(value: Value): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  if (value.$type === 'string') return 'string';
  return value.$type;
}

interface ReadScope {
  variables: Variables;
  more?: number;
}

async function topLevel(session: MonitorSession, script: LoadedScript, withValues: boolean, what: string): Promise<{ top: ReadScope; exported?: ReadScope; kind: string }> {
  const scope = await moduleScope(session, script, what);
  const ids = [scope.scopeId, scope.exportsId].filter((id): id is string => id !== undefined);
  if (ids.length === 0) return { top: { variables: {} }, kind: scope.kind };
  // `who` lists names and kinds: nothing below the top level is read.
  const limits = withValues ? session.config.limits : { ...session.config.limits, depth: 0 };
  const client = session.thread.client;
  const reader = await session.answer(installReader(client, limits), what);
  if ('declined' in reader) throw new CommandFailed(`${what}: the in-target reader declined: ${reader.declined}`);
  const raw = await session.answer(readInTarget(client, reader.id, ids, ids.map(() => '')), what);
  if (!raw) throw new CommandFailed(`${what}: the in-target reader did not answer`);
  const listing = new InTargetListing(raw);
  const read = await new ValueReader(listing.properties, limits, secretNameTest(limits.redactKeys)).readScopes(listing.scopeIds);
  const top = scope.scopeId ? read[0] : { variables: {} };
  const exported = scope.exportsId ? read[ids.length - 1] : undefined;
  return { top, ...(exported ? { exported } : {}), kind: scope.kind };
}

/** `list FILE:LINE`, `list FILE` (its start), or `list fnName` (the program's own modules searched). */
export async function listCommand(session: MonitorSession, args: string): Promise<Outcome> {
  const text = args.trim();
  if (!text) throw new CommandFailed('list: name a place, e.g. list ./lib/cache.js:40 or list handleRequest');
  const started = performance.now();
  const at = /^(.*?):(\d+)$/.exec(text);
  const looksLikePath = at !== null || /[/.]/.test(text);
  const place = looksLikePath ? await fileLine(session, at ? at[1] : text, at ? Number(at[2]) : 1) : await functionLine(session, text);
  const lines = place.source.split('\n');
  const from = Math.max(1, place.line - LIST_AROUND);
  const to = Math.min(lines.length, place.line + LIST_AROUND);
  const width = String(to).length;
  const shown = [`${displayPath(session, place.script.path)}:${place.line}`];
  // Source holds secrets too (a token written in it): redacted as values are.
  const isSecret = secretNameTest(session.config.limits.redactKeys);
  for (let n = from; n <= to; n++) shown.push(`${n === place.line ? '>' : ' '} ${String(n).padStart(width)}  ${redactCredentials(lines[n - 1], isSecret)}`);
  return { text: terminalSafe(shown.join('\n')), stoppedMs: performance.now() - started };
}

async function fileLine(session: MonitorSession, name: string, line: number): Promise<{ script: LoadedScript; source: string; line: number }> {
  const script = await findModule(session, name, 'list');
  const source = await scriptSource(session, script, 'list');
  const count = source.split('\n').length;
  if (line > count) throw new CommandFailed(`list: ${displayPath(session, script.path)} has ${count} lines; give a line from 1 to ${count}`);
  return { script, source, line };
}

/** A function's definition, looked for in the program's own modules (not node_modules). */
async function functionLine(session: MonitorSession, name: string): Promise<{ script: LoadedScript; source: string; line: number }> {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new CommandFailed(`list: ${JSON.stringify(name)} is neither FILE:LINE nor a function name`);
  const scripts = (session.scripts.get(session.thread.threadId) ?? (await listScripts(session, 'list'))).filter((s) => !s.path.includes('/node_modules/'));
  const definition = new RegExp(`(function\\s*\\*?\\s*${name}\\s*\\(|\\b${name}\\s*[:=]\\s*(async\\s+)?(function\\b|\\([^)]*\\)\\s*=>|[\\w$]+\\s*=>)|^\\s*(async\\s+)?${name}\\s*\\([^)]*\\)\\s*\\{|class\\s+${name}\\b)`, 'm');
  for (const script of scripts) {
    const source = await scriptSource(session, script, 'list');
    const match = definition.exec(source);
    if (match) return { script, source, line: source.slice(0, match.index + match[0].search(/\S/)).split('\n').length };
  }
  throw new CommandFailed(`list: no function ${name} in the program's own ${scripts.length} modules; give FILE:LINE for a dependency's`);
}
