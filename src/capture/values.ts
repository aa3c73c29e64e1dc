/**
 * Turns variables and the objects under them, as Runtime.getProperties lists
 * them, into bounded values. The listings come from the in-target reader (one
 * call per sample), which lists own properties and internal slots without
 * calling getters, Proxy traps, toJSON or toString, so the target's code never
 * runs, and marks what it did not list and why. Each nesting level is one round
 * of asks.
 */
import type { Protocol } from 'devtools-protocol';
import type { CaptureLimits } from '../config';
import type { TaggedValue, Value } from '../record/sample';
import type { CdpClient } from './cdp';
import { REDACTED, type SecretTest } from './redact';

/**
 * What the in-target reader adds to a RemoteObject: a string cut to --max-string
 * carries its full `length`; a wrapper object (new String(...)) its `primitive`;
 * an object an earlier sample found to have too many keys to list, `huge`; the
 * value of a name it took for a secret's, `redacted` (the name may reach here cut).
 */
type RemoteObject = Protocol.Runtime.RemoteObject & { length?: number; primitive?: RemoteObject; huge?: boolean; redacted?: boolean };

/**
 * What getProperties answers; the in-target reader lists at most --max-elements
 * and counts the rest in `omitted`, gives the key count of an object too large to
 * list in `keys`, and says in `unread` why a container was not listed at all
 * ("time", "record": the sample's ceilings; "unreadable": a built-in threw on it;
 * "proxy": a `with` scope that is a Proxy), and in `cut` why it stopped midway.
 */
export type PropertyList = Protocol.Runtime.GetPropertiesResponse & { omitted?: number; keys?: number; unread?: string; cut?: string };
type GetPropertiesResult = PropertyList;

/** Lists one object's properties (undefined when it cannot: the object is gone). */
export type PropertySource = (objectId: string) => Promise<PropertyList | undefined>;

/**
 * Asks Runtime.getProperties itself: one round trip to the main thread an object.
 * Capture never reads with it (V8's description of an Error it lists calls the
 * error's getters); it is kept to check the in-target reader's shapes against V8's.
 */
export function getPropertiesOf(cdp: CdpClient): PropertySource {
  return async (objectId) => {
    try {
      return await cdp.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
    } catch {
      // The object can be gone (the frame resumed, the target exited): the value stays a summary.
      return undefined;
    }
  };
}

/** getProperties calls one sample may make; beyond it containers are left unread. */
export const OBJECT_BUDGET = 300;
/**
 * Objects with more own keys than this are summarised: no built-in lists only
 * the first N keys of an object, so listing one costs all its keys. Arrays,
 * typed arrays, Maps and Sets of any size show their first --max-elements.
 */
export const LARGEST_LISTED_CONTAINER = 1000;

interface Job {
  objectId: string;
  fill(result: GetPropertiesResult, next: Job[]): void;
}

export type Variables = Record<string, Value>;

/** One scope's variables, with how many were left out and, if it was not listed at all, why. */
export interface ScopeRead {
  variables: Variables;
  more?: number;
  unread?: string;
}

export class ValueReader {
  private budget = OBJECT_BUDGET;

  constructor(
    private readonly properties: PropertySource,
    private readonly limits: CaptureLimits,
    private readonly isSecret: SecretTest,
  ) {}

  /** Reads each scope object's variables; one result per scope, in order. */
  async readScopes(scopeObjectIds: string[]): Promise<ScopeRead[]> {
    const results: ScopeRead[] = scopeObjectIds.map(() => ({ variables: {} }));
    let level: Job[] = scopeObjectIds.map((objectId, i) => ({
      objectId,
      fill: (result, next) => {
        this.fillVariables(results[i].variables, result.result, next);
        if (result.omitted) results[i].more = result.omitted;
        if (result.unread) results[i].unread = result.unread;
      },
    }));
    this.budget -= level.length;
    while (level.length > 0) {
      const answers = await Promise.all(level.map((job) => this.properties(job.objectId)));
      const next: Job[] = [];
      answers.forEach((answer, i) => answer && level[i].fill(answer, next));
      level = next;
    }
    return results;
  }

  private fillVariables(into: Variables, descriptors: Protocol.Runtime.PropertyDescriptor[], next: Job[]): void {
    for (const d of descriptors) into[d.name] = this.descriptorValue(d, 0, next);
  }

  private descriptorValue(d: Protocol.Runtime.PropertyDescriptor, depth: number, next: Job[]): Value {
    // A function under a secret name is code, not a secret (crypto.createPrivateKey).
    if ((this.isSecret(d.name) && d.value?.type !== 'function') || (d.value as RemoteObject | undefined)?.redacted) return REDACTED;
    if (!d.value && (d.get || d.set)) return { $type: d.get ? 'getter' : 'setter' };
    return d.value ? this.remoteValue(d.value, depth, next) : { $type: 'undefined' };
  }

  /** Converts a RemoteObject at `depth` (0 = a variable); containers are queued to be read in the next level. */
  remoteValue(remote: RemoteObject, depth: number, next: Job[]): Value {
    switch (remote.type) {
      case 'undefined':
        return { $type: 'undefined' };
      case 'string':
        return this.stringValue(String(remote.value), remote.length);
      case 'number':
      case 'boolean':
        return remote.unserializableValue ? { $type: remote.type, value: remote.unserializableValue } : (remote.value as number | boolean);
      case 'bigint':
        return { $type: 'bigint', value: remote.unserializableValue ?? String(remote.description) };
      case 'symbol':
        return { $type: 'symbol', value: remote.description ?? 'Symbol()' };
      case 'function':
        return functionValue(remote.description ?? '', remote.className);
      default:
        return this.objectValue(remote, depth, next);
    }
  }

  private stringValue(text: string, length = text.length): Value {
    const max = this.limits.maxString;
    if (length <= max) return text;
    return { $type: 'string', value: text.slice(0, max), length, more: length - max };
  }

  private objectValue(remote: RemoteObject, depth: number, next: Job[]): Value {
    const type = remote.className || 'Object';
    const description = remote.description ?? type;
    if (remote.huge) return { $type: type, truncated: 'size' };
    switch (remote.subtype as string | undefined) {
      case 'null':
        return null;
      case 'array':
      case 'typedarray':
        return this.container({ $type: type, length: countIn(description) }, remote, depth, next, (tv, result, later) =>
          this.fillItems(tv, result, depth, later),
        );
      case 'map':
      case 'set':
        return this.container({ $type: type, length: countIn(description) }, remote, depth, next, (tv, result, later) =>
          this.fillEntries(tv, result, depth, later, remote.subtype === 'map'),
        );
      case 'error':
        return { $type: type, message: this.truncate(firstLine(description)) };
      case 'regexp':
      case 'date':
        return { $type: type, value: this.truncate(description) };
      case 'proxy':
        return { $type: 'Proxy' };
      case 'promise':
        // Only V8's own description can tell a promise's state, and it runs the result's getters.
        return { $type: type, truncated: 'state' };
      case 'boxed':
        return this.boxedValue(type, remote.primitive);
      case 'unreadable':
        return { $type: type, truncated: 'unreadable' };
      case undefined:
        return this.container({ $type: type }, remote, depth, next, (tv, result, later) => this.fillProps(tv, result, depth, later));
      default:
        // weakmap, weakset, arraybuffer, dataview, generator, iterator, weakref, wasm...: the description says enough.
        return { $type: type, value: this.truncate(description) };
    }
  }

  /** A String, Number, Boolean, BigInt or Symbol wrapper, as its primitive (a long string cut as strings are). */
  private boxedValue(type: string, primitive: RemoteObject | undefined): TaggedValue {
    const value = primitive ? this.remoteValue(primitive, 0, []) : undefined;
    if (typeof value === 'string') return { $type: type, value };
    if (value !== null && typeof value === 'object') return { ...value, $type: type };
    return { $type: type, value: String(value) };
  }

  private container(
    tv: TaggedValue,
    remote: RemoteObject,
    depth: number,
    next: Job[],
    fill: (tv: TaggedValue, result: GetPropertiesResult, next: Job[]) => void,
  ): TaggedValue {
    if (!remote.objectId) return tv;
    if (depth >= this.limits.depth) return { ...tv, truncated: 'depth' };
    if (this.budget <= 0) return { ...tv, truncated: 'budget' };
    this.budget--;
    next.push({
      objectId: remote.objectId,
      fill: (result, later) => {
        if (notListed(tv, result)) return;
        fill(tv, result, later);
        if (result.cut) tv.truncated = result.cut;
      },
    });
    return tv;
  }

  private fillProps(tv: TaggedValue, result: GetPropertiesResult, depth: number, next: Job[]): void {
    const props: Record<string, Value> = {};
    // The in-target reader lists enumerable properties only and leaves the flag out.
    const own = result.result.filter((d) => d.enumerable !== false && d.name !== '__proto__');
    for (const d of own.slice(0, this.limits.maxElements)) props[d.name] = this.descriptorValue(d, depth + 1, next);
    tv.props = props;
    const total = own.length + (result.omitted ?? 0);
    if (total > this.limits.maxElements) tv.more = total - this.limits.maxElements;
  }

  private fillItems(tv: TaggedValue, result: GetPropertiesResult, depth: number, next: Job[]): void {
    const indexed = result.result.filter((d) => /^\d+$/.test(d.name));
    const kept = indexed.slice(0, this.limits.maxElements);
    tv.items = kept.map((d) => this.descriptorValue(d, depth + 1, next));
    const length = tv.length ?? indexed.length;
    if (length > kept.length) tv.more = length - kept.length;
  }

  private fillEntries(tv: TaggedValue, result: GetPropertiesResult, depth: number, next: Job[], isMap: boolean): void {
    const entries = result.internalProperties?.find((p) => p.name === '[[Entries]]')?.value;
    if (!entries?.objectId) return;
    const size = tv.length ?? 0;
    if (size > this.limits.maxElements) tv.more = size - this.limits.maxElements;
    if (this.budget <= 0) {
      tv.truncated = 'budget';
      return;
    }
    this.budget--;
    next.push({
      objectId: entries.objectId,
      fill: (list, later) => {
        const kept = list.result.filter((d) => /^\d+$/.test(d.name)).slice(0, this.limits.maxElements);
        if (isMap) tv.entries = [];
        else tv.items = [];
        for (const d of kept) {
          if (!d.value?.objectId || this.budget <= 0) continue;
          this.budget--;
          later.push({ objectId: d.value.objectId, fill: (entry, deeper) => this.fillEntry(tv, entry, depth, deeper, isMap) });
        }
      },
    });
  }

  private fillEntry(tv: TaggedValue, entry: GetPropertiesResult, depth: number, next: Job[], isMap: boolean): void {
    const key = entry.result.find((d) => d.name === 'key')?.value;
    const value = entry.result.find((d) => d.name === 'value')?.value;
    if (!value) return;
    if (!isMap) {
      tv.items!.push(this.remoteValue(value, depth + 1, next));
      return;
    }
    const keyValue = key ? this.remoteValue(key, depth + 1, next) : null;
    // A function under a secret key is code, not a secret, as for properties.
    const secret = typeof keyValue === 'string' && this.isSecret(keyValue) && value.type !== 'function';
    tv.entries!.push([keyValue, secret || (value as RemoteObject).redacted ? REDACTED : this.remoteValue(value, depth + 1, next)]);
  }

  truncate(text: string): string {
    const max = this.limits.maxString;
    return text.length <= max ? text : `${text.slice(0, max)}…`;
  }
}

/** Marks a container the reader did not list (the sample's ceilings, a built-in that threw, too many keys); true if so. */
function notListed(tv: TaggedValue, result: GetPropertiesResult): boolean {
  if (result.keys !== undefined) {
    tv.length = result.keys;
    tv.truncated = 'size';
    return true;
  }
  if (!result.unread) return false;
  tv.truncated = result.unread;
  return true;
}

/** "Array(3)", "Map(2)", "Buffer(10)" -> the count. */
function countIn(description: string): number | undefined {
  const match = /\((\d+)\)/.exec(description);
  return match ? Number(match[1]) : undefined;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/** A function's description is its source text; keep only its name. */
function functionValue(source: string, className?: string): TaggedValue {
  const isClass = /^class\b/.test(source);
  // An arrow function has no name of its own (`async () => {}` would otherwise read as one named "async").
  const isArrow = /^(?:async\s*)?(?:\(|[\w$]+\s*=>)/.test(source);
  const match = isArrow
    ? null
    : (/^(?:async\s+)?(?:function\s*\*?|class)\s*([\w$]+)/.exec(source) ?? /^(?:async\s+)?(?:get\s+|set\s+)?\*?\s*([\w$]+)\s*\(/.exec(source));
  return { $type: isClass ? 'class' : className === 'AsyncFunction' ? 'async function' : 'function', name: match?.[1] ?? '(anonymous)' };
}
