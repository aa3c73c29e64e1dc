/**
 * Closing an inspector tripod opened, by a mechanism the program cannot
 * replace: Node's own native `_debugEnd`, found through CDP reads alone
 * (Runtime.getProperties never calls a getter or a trap of the program's) and
 * called by object id, so no name is looked up in the target when it runs.
 *
 * `process._debugEnd` is a plain property a program may overwrite, and
 * `globalThis.process` is an accessor: so the function is looked for where Node
 * keeps it, in the closures of its own process accessor (the process object, and
 * the cache of native bindings behind `internalBinding`), and only a function
 * that V8 itself describes as the native `_debugEnd` is ever called.
 */
import type { CdpClient } from '../capture/cdp';
import { scopeChain } from '../capture/closure-scopes';

/** What V8 says of Node's native function; a JS, bound or proxied stand-in reads otherwise. */
const NATIVE_DEBUG_END = 'function _debugEnd() { [native code] }';
/** Calls the object it is applied to: `this` is the verified function itself. */
const CALL_THIS = 'function tripodCloseInspector() { this(); }';

export interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  set?: RemoteObject;
}

export interface RemoteObject {
  type: string;
  subtype?: string;
  description?: string;
  objectId?: string;
}

export interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
}

/** The globals tripod's attach reads: where Node keeps `_debugEnd`, and the natives of the lease and the loop-turn probe. */
const GLOBALS_READ = ['process', 'Atomics', 'Object', 'Int32Array', 'SharedArrayBuffer'];
/** Calls the verified native Object.getOwnPropertyDescriptor it is applied to. */
const CALL_DESCRIBE = 'function tripodDescribe(object, key) { return this(object, key); }';

/**
 * The global object's own properties that tripod reads, each read without running
 * anything of the program's. Not by listing the global: on Node 24 a
 * Runtime.getProperties of it materialises Node's lazy globals, loading undici,
 * whose code calls what the program replaced (Array.prototype.push, 718 times).
 * So each is asked of the native Object.getOwnPropertyDescriptor, found through
 * an object literal's prototype (%Object.prototype%, whatever the program did to
 * the global `Object`) and verified by V8's description.
 */
export async function globalProperties(client: CdpClient): Promise<PropertyDescriptor[]> {
  // `this` at the top of a script is the global object itself: no name is looked up.
  const global = (await client.post('Runtime.evaluate', { expression: 'this', silent: true })) as { result: RemoteObject };
  const describe = await nativeDescribe(client);
  if (!global.result.objectId || !describe) return [];
  const found = await Promise.all(GLOBALS_READ.map((name) => ownDescriptor(client, describe, global.result.objectId!, name)));
  return found.filter((property): property is PropertyDescriptor => property !== undefined);
}

/** %Object.getOwnPropertyDescriptor%, through the prototype of an object V8 itself made. */
async function nativeDescribe(client: CdpClient): Promise<string | undefined> {
  const prototype = await prototypeOfMade(client, '({})');
  if (!prototype) return undefined;
  const constructor = (await ownProperties(client, prototype)).result.find((p) => p.name === 'constructor')?.value;
  if (constructor?.type !== 'function' || constructor.description !== 'function Object() { [native code] }' || !constructor.objectId) return undefined;
  return nativeIn((await ownProperties(client, constructor.objectId)).result, 'getOwnPropertyDescriptor');
}

/** The [[Prototype]] of what `expression` (syntax alone, no name looked up) makes: an intrinsic prototype. */
export async function prototypeOfMade(client: CdpClient, expression: string): Promise<string | undefined> {
  const made = (await client.post('Runtime.evaluate', { expression, silent: true })) as { result: RemoteObject };
  if (!made.result.objectId) return undefined;
  return (await ownProperties(client, made.result.objectId)).internalProperties?.find((p) => p.name === '[[Prototype]]')?.value?.objectId;
}

/** An own data property holding the native function of that name (V8's description proves it). */
export function nativeIn(properties: PropertyDescriptor[], name: string): string | undefined {
  const value = properties.find((p) => p.name === name)?.value;
  return value?.type === 'function' && value.description === `function ${name}() { [native code] }` ? value.objectId : undefined;
}

/** `name`'s own descriptor on the object, as getProperties would list it; undefined where it has none. */
async function ownDescriptor(client: CdpClient, describe: string, objectId: string, name: string): Promise<PropertyDescriptor | undefined> {
  const answer = (await client.post('Runtime.callFunctionOn', {
    objectId: describe,
    functionDeclaration: CALL_DESCRIBE,
    arguments: [{ objectId }, { value: name }],
    silent: true,
  })) as { result: RemoteObject };
  if (answer.result.type !== 'object' || !answer.result.objectId) return undefined;
  const fields = (await ownProperties(client, answer.result.objectId)).result;
  const field = (key: string) => fields.find((p) => p.name === key)?.value;
  return { name, value: field('value'), get: field('get'), set: field('set') };
}

/** The object id of Node's native `_debugEnd` in this session, or undefined where it cannot be found. */
export async function findNativeClose(client: CdpClient): Promise<string | undefined> {
  const processProperty = (await globalProperties(client)).find((p) => p.name === 'process');
  if (!processProperty) return undefined;
  if (processProperty.value && isPlainObject(processProperty.value)) {
    const found = await nativeCloseOf(client, processProperty.value.objectId!);
    if (found) return found;
  }
  for (const accessor of [processProperty.get, processProperty.set]) {
    if (accessor?.type !== 'function' || !accessor.objectId) continue;
    const found = await searchClosures(client, accessor.objectId);
    if (found) return found;
  }
  return undefined;
}

/** Calls the verified function. Resolves when the call was answered (the socket may close first: callers wait for that). */
export function callNativeClose(client: CdpClient, objectId: string): Promise<unknown> {
  return client.post('Runtime.callFunctionOn', { objectId, functionDeclaration: CALL_THIS, silent: true });
}

/** The accessor's closures: the process object itself, then Node's binding cache behind `internalBinding`. */
async function searchClosures(client: CdpClient, functionId: string): Promise<string | undefined> {
  const variables = await closureVariables(client, functionId);
  const direct = await firstFound(variables.filter((v) => isPlainObject(v.value)).map((v) => nativeCloseOf(client, v.value!.objectId!)));
  if (direct) return direct;
  const internalBinding = variables.find((v) => v.name === 'internalBinding' && v.value?.type === 'function' && v.value.objectId);
  if (!internalBinding) return undefined;
  const caches = (await closureVariables(client, internalBinding.value!.objectId!)).filter((v) => isPlainObject(v.value));
  const inCache = (cache: PropertyDescriptor) => processMethodsClose(client, cache.value!.objectId!);
  // Node names its cache bindingObj; the loader's other closure objects (primordials: ~800 properties) are read only if it moved.
  const named = caches.filter((v) => /binding/i.test(v.name));
  return (await firstFound(named.map(inCache))) ?? firstFound(caches.filter((v) => !named.includes(v)).map(inCache));
}

async function processMethodsClose(client: CdpClient, cacheId: string): Promise<string | undefined> {
  const methods = (await ownProperties(client, cacheId)).result.find((p) => p.name === 'process_methods');
  return methods?.value && isPlainObject(methods.value) ? nativeCloseOf(client, methods.value.objectId!) : undefined;
}

/**
 * `holder._debugEnd`, if it is an own data property holding the native function.
 * V8 writes a function's description itself (not through the program's
 * toString): a JS function's is its source, which can never read like native
 * code; a bound function's or a Proxy's is anonymous. So the description alone
 * proves the function is Node's.
 */
async function nativeCloseOf(client: CdpClient, holderId: string): Promise<string | undefined> {
  const candidate = (await ownProperties(client, holderId)).result.find((p) => p.name === '_debugEnd')?.value;
  return candidate?.type === 'function' && candidate.description === NATIVE_DEBUG_END ? candidate.objectId : undefined;
}

/** The variables of a function's closures, the global scope left out (the program owns it). Scopes are read all at once. */
export async function closureVariables(client: CdpClient, functionId: string): Promise<PropertyDescriptor[]> {
  const scopes = (await ownProperties(client, functionId)).internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
  if (!scopes) return [];
  const chain = await scopeChain((params) => client.post('Runtime.getProperties', params), scopes);
  const closures = chain.filter((scope) => scope.kind !== 'Global');
  const variables = await Promise.all(closures.map(async (scope) => (await ownProperties(client, scope.id)).result));
  return variables.flat();
}

/** The first defined answer, in order; all are asked at once (one round trip for the lot). */
async function firstFound(searches: Array<Promise<string | undefined>>): Promise<string | undefined> {
  return (await Promise.all(searches)).find((found) => found !== undefined);
}

/**
 * An object whose own properties may be listed. Never the global object (which
 * Node's closures hold, as `globalThis`): listing it on Node 24 materialises
 * Node's lazy globals, running Node code (undici's) that calls what the
 * program replaced.
 */
export function isPlainObject(value: RemoteObject | undefined): boolean {
  return value?.type === 'object' && value.subtype !== 'proxy' && value.subtype !== 'null' && value.description !== 'global' && value.objectId !== undefined;
}

export function ownProperties(client: CdpClient, objectId: string): Promise<Properties> {
  return client.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false }) as Promise<Properties>;
}
