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
import { closureVariables, firstFound, globalProperties, isPlainObject, ownProperties, type PropertyDescriptor } from '../capture/node-internals';

/** What V8 says of Node's native function; a JS, bound or proxied stand-in reads otherwise. */
const NATIVE_DEBUG_END = 'function _debugEnd() { [native code] }';
/** Calls the object it is applied to: `this` is the verified function itself. */
const CALL_THIS = 'function tripodCloseInspector() { this(); }';

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
