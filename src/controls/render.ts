/**
 * `tripod flags` as text: the --ls sections (flags, then each logger kind) and
 * the `set NAME OLD -> NEW (module)` line of each change. A thousand flags are
 * cut to a screenful, with the glob that narrows them.
 */
import * as path from 'node:path';
import type { ControlChange, LoggerControl } from './logger-control';
import type { RegistryView } from './registry-access';

const MAX_FLAG_LINES = 100;

export function renderListing(view: RegistryView, controls: LoggerControl[], glob: string | undefined, cwd: string | undefined): string[] {
  const pattern = glob === undefined ? undefined : globRegex(glob);
  const flags = view.flags.filter((f) => !pattern || pattern.test(f.name)).sort((a, b) => a.name.localeCompare(b.name));
  const lines = [' -- flags --'];
  if (view.unreadable) lines.push('   (not read: the process replaced the natives tripod reads its global object with)');
  else if (flags.length === 0) lines.push(glob === undefined ? '   (none registered: flag() of tripod/flags)' : `   (none matches ${glob}; ${view.flags.length} in all)`);
  for (const flag of flags.slice(0, MAX_FLAG_LINES)) {
    const value = `${flag.name} = ${shown(flag.value)}`;
    const help = flag.meta.help ? `     ${flag.meta.help}` : '';
    const choices = flag.meta.choices ? ` (${flag.meta.choices.join('|')})` : '';
    lines.push(`   ${value.padEnd(22)} default ${shown(flag.default).padEnd(6)} in ${relative(flag.meta.module, cwd)}${choices}${help}`);
  }
  if (flags.length > MAX_FLAG_LINES) lines.push(`   … and ${flags.length - MAX_FLAG_LINES} more (tripod flags PID --ls 'GLOB' narrows them)`);
  for (const control of controls) {
    if (pattern && !pattern.test(control.name)) continue;
    lines.push(` -- ${control.title} --`, ...control.lines().map((line) => `   ${line}`));
  }
  return lines;
}

export function renderChanges(changes: ControlChange[], cwd: string | undefined): string[] {
  return changes.map((c) => `set ${c.name} ${c.old} -> ${c.new}${c.module ? ` (${relative(c.module, cwd)})` : ''}`);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A path under the program's working folder as ./lib/cache.js, as the user wrote it. */
function relative(file: string, cwd: string | undefined): string {
  if (!file) return '(unknown module)';
  if (!cwd || !path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : `./${rel}`;
}

/** * any run of characters, ? one; the rest literal. */
export function globRegex(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
