/**
 * A function's closure scopes as the inspector lists them (its [[Scopes]]
 * internal property), read with Runtime.getProperties only: shared by the
 * monitor's `who` (a module's top level) and tripod flags (the loggers a
 * module holds). Each entry is the inspector's own {object} wrapper of a scope;
 * its `object` holds the scope's variables as data properties.
 */
import type { Protocol } from 'devtools-protocol';

/** Posts one getProperties; each caller wraps it its own way (deadlines, timing). */
export type GetProperties = (params: Protocol.Runtime.GetPropertiesRequest) => Promise<Protocol.Runtime.GetPropertiesResponse>;

export interface ScopeEntry {
  /** "Closure", "Module", "Script", "Block", "Global", … (the first word of V8's description). */
  kind: string;
  /** The inspector's wrapper of the scope ({object}). */
  id: string;
}

/** What getProperties of a function says of where it was defined and what it closes over. */
export function functionInternals(listing: Protocol.Runtime.GetPropertiesResponse | undefined): { scriptId?: string; scopesId?: string } {
  const internal = listing?.internalProperties ?? [];
  const location = internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as { scriptId?: string } | undefined;
  const scopesId = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
  return { ...(location?.scriptId ? { scriptId: location.scriptId } : {}), ...(scopesId ? { scopesId } : {}) };
}

/** The scopes of a [[Scopes]] list, innermost first. */
export async function scopeChain(getProperties: GetProperties, scopesId: string): Promise<ScopeEntry[]> {
  const entries = await getProperties({ objectId: scopesId, ownProperties: true });
  const chain: ScopeEntry[] = [];
  for (const entry of entries.result) {
    if (!/^\d+$/.test(entry.name) || !entry.value?.objectId) continue;
    chain.push({ kind: /^\w+/.exec(entry.value.description ?? '')?.[0] ?? '', id: entry.value.objectId });
  }
  return chain;
}

/** A module's top level: the outermost function context, "Closure" of a CommonJS wrapper or "Module" of an ES module. */
export function topLevelEntry(chain: ScopeEntry[]): ScopeEntry | undefined {
  return chain.filter((entry) => entry.kind === 'Closure' || entry.kind === 'Module').at(-1);
}
