/**
 * The flag registry of a running process (src/flags/index.ts), from outside:
 * read with Runtime.getProperties (no getter of the program runs; a handle's
 * value comes from its preview, so a thousand flags take four calls), and
 * changed by tripod's own function run on the registry (Runtime.callFunctionOn),
 * which calls the flags' onChange listeners — the program's code, on purpose —
 * and keeps each flag's value from before tripod's first change for --clear.
 */
import type Protocol from 'devtools-protocol';
import { UserError } from '../errors';
import { defineRegistry, type GlobalAccess } from './global-registry';
import { type FlagMeta, type FlagValue, newRegistry } from '../flags/index';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

export interface RemoteFlag {
  name: string;
  value: FlagValue;
  default: FlagValue;
  meta: FlagMeta;
  /** The value before tripod changed it, when it did. */
  original?: FlagValue;
}

export interface RegistryView {
  /** The registry's object id; absent when the program has none. */
  id?: string;
  flags: RemoteFlag[];
  /** The runner's hook that writes control records to its log. */
  logsControls: boolean;
  /** The logger kinds tripod changed before (their originals are kept): what --clear alone puts back. */
  loggersChanged: string[];
  /** The global object could not be read through verified natives (the program replaced them): no registry was looked for. */
  unreadable?: boolean;
}

export interface FlagChange {
  name: string;
  value: FlagValue;
  /** --clear: the value tripod kept is dropped, not taken. */
  forget?: boolean;
}

export interface FlagChangeOutcome {
  name: string;
  old: FlagValue;
  value: FlagValue;
  /** What the flag's onChange listeners threw. */
  errors: string[];
}

export async function readRegistry(cdp: TimedCdp, registryId: string | undefined): Promise<RegistryView> {
  if (!registryId) return { flags: [], logsControls: false, loggersChanged: [] };
  const parts = byName((await cdp.own(registryId)).properties);
  const [handles, meta, originals] = await Promise.all([
    idOf(parts.handles) ? cdp.own(idOf(parts.handles)!, true) : undefined,
    idOf(parts.meta) ? cdp.own(idOf(parts.meta)!) : undefined,
    idOf(parts.originals) ? cdp.own(idOf(parts.originals)!) : undefined,
  ]);
  const metaOf = byName(meta?.properties ?? []);
  const originalOf = byName(originals?.properties ?? []);
  const flags: RemoteFlag[] = [];
  for (const handle of handles?.properties ?? []) {
    const metaText = metaOf[handle.name]?.value?.value;
    if (typeof metaText !== 'string' || !handle.value?.objectId) continue;
    const parsedMeta = JSON.parse(metaText) as FlagMeta;
    const values = await valuesOf(cdp, handle.value);
    const original = originalOf[handle.name]?.value;
    flags.push({ name: handle.name, ...values, meta: parsedMeta, ...(original && 'value' in original ? { original: original.value as FlagValue } : {}) });
  }
  const loggersChanged = [parts.pinoOriginals ? 'pino' : '', parts.debugOriginals ? 'debug' : ''].filter(Boolean);
  return { id: registryId, flags, logsControls: parts.control?.value?.type === 'function', loggersChanged };
}

/** From the handle's preview; a long string is cut there ("…"), and read whole from the handle. */
async function valuesOf(cdp: TimedCdp, handle: Protocol.Runtime.RemoteObject): Promise<{ value: FlagValue; default: FlagValue }> {
  const shown = handle.preview?.properties ?? [];
  const cut = shown.some((p) => p.type === 'string' && (p.value ?? '').endsWith('…'));
  if (!cut && shown.some((p) => p.name === 'value') && shown.some((p) => p.name === 'default')) {
    const read = (name: string) => fromPreview(shown.find((p) => p.name === name)!);
    return { value: read('value'), default: read('default') };
  }
  const own = byName((await cdp.own(handle.objectId!)).properties);
  return { value: own.value?.value?.value as FlagValue, default: own.default?.value?.value as FlagValue };
}

function fromPreview(property: Protocol.Runtime.PropertyPreview): FlagValue {
  if (property.type === 'number') return Number(property.value);
  if (property.type === 'boolean') return property.value === 'true';
  return property.value ?? '';
}

/** The program has no registry (it never required tripod/flags): tripod makes the same one, to keep what it changes. */
export async function ensureRegistry(cdp: TimedCdp, access: GlobalAccess | undefined, registryId: string | undefined): Promise<string> {
  if (registryId) return registryId;
  if (!access) throw new UserError('tripod flags: cannot reach the global object of this process through its own natives (replaced?); nothing was changed', 1);
  const { result } = await cdp.post('Runtime.evaluate', { expression: `(${newRegistry.toString()})()`, objectGroup: CONTROLS_GROUP, silent: true });
  return defineRegistry(cdp, access, result.objectId!);
}

/**
 * Sets each flag, then calls its listeners; a listener that throws is reported and
 * the value stays set. `lines` (control records) go to the runner's log hook, when it has one.
 */
const SET_FLAGS = `function tripodSetFlags(changes, lines) {
  var out = [];
  for (var i = 0; i < changes.length; i++) {
    var name = changes[i][0], value = changes[i][1], forget = changes[i][2];
    var handle = this.handles[name];
    var old = handle.value;
    if (forget) delete this.originals[name];
    else if (!(name in this.originals)) this.originals[name] = old;
    handle.value = value;
    var errors = [];
    var listeners = this.listeners[name];
    for (var j = 0; listeners && j < listeners.length; j++) {
      try {
        var listener = listeners[j];
        var answer = listener(value, old);
        if (answer && typeof answer.then === 'function') answer.then(undefined, function () {});
      } catch (error) {
        var text;
        try { text = error !== null && typeof error === 'object' && typeof error.message === 'string' ? error.name + ': ' + error.message : '' + error; } catch (_) { text = 'an error that cannot be shown'; }
        errors[errors.length] = typeof text === 'string' && text.length <= 500 ? text : 'an error too long to show';
      }
    }
    out[out.length] = { name: name, old: old, value: value, errors: errors };
  }
  if (lines && typeof this.control === 'function') { try { this.control(lines); } catch (_) {} }
  return out;
}`;

export async function setFlags(cdp: TimedCdp, registryId: string, changes: FlagChange[], controlLines?: string): Promise<FlagChangeOutcome[]> {
  const { result, exceptionDetails } = await cdp.post('Runtime.callFunctionOn', {
    objectId: registryId,
    functionDeclaration: SET_FLAGS,
    arguments: [{ value: changes.map((c) => [c.name, c.value, Boolean(c.forget)]) }, { value: controlLines ?? '' }],
    returnByValue: true,
    silent: true,
  });
  if (exceptionDetails) throw new Error(`setting flags failed in the target: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
  return result.value as FlagChangeOutcome[];
}

/** Hands whole control-record lines to the runner's log hook (for changes made by other calls: pino, debug). */
export async function logThroughRegistry(cdp: TimedCdp, registryId: string, lines: string): Promise<void> {
  await cdp.post('Runtime.callFunctionOn', {
    objectId: registryId,
    functionDeclaration: 'function tripodLogControls(lines) { if (typeof this.control === "function") { try { this.control(lines); } catch (_) {} } }',
    arguments: [{ value: lines }],
    silent: true,
  });
}

export function byName(properties: Protocol.Runtime.PropertyDescriptor[]): Record<string, Protocol.Runtime.PropertyDescriptor> {
  const named: Record<string, Protocol.Runtime.PropertyDescriptor> = Object.create(null);
  for (const property of properties) named[property.name] = property;
  return named;
}

export function idOf(property: Protocol.Runtime.PropertyDescriptor | undefined): string | undefined {
  return property?.value?.objectId;
}
