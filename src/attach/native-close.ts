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

/** What V8 says of Node's native function; a JS, bound or proxied stand-in reads otherwise. */
const NATIVE_DEBUG_END = 'function _debugEnd() { [native code] }';
/** Calls the object it is applied to: `this` is the verified function itself. */
const CALL_THIS = 'function tripodCloseInspector() { this(); }';

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  set?: RemoteObject;
}

interface RemoteObject {
  type: string;
  subtype?: string;
  description?: string;
  objectId?: string;
}

interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
}

/** The object id of Node's native `_debugEnd` in this session, or undefined where it cannot be found. */
export async function findNativeClose(client: CdpClient): Promise<string | undefined> {
  // `this` at the top of a script is the global object itself: no name is looked up.
  const global = (await client.post('Runtime.evaluate', { expression: 'this', silent: true })) as { result: RemoteObject };
  if (!global.result.objectId) return undefined;
  const processProperty = (await ownProperties(client, global.result.objectId)).result.find((p) => p.name === 'process');
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
  for (const variable of variables) {
    if (!isPlainObject(variable.value)) continue;
    const found = await nativeCloseOf(client, variable.value!.objectId!);
    if (found) return found;
  }
  const internalBinding = variables.find((v) => v.name === 'internalBinding' && v.value?.type === 'function' && v.value.objectId);
  if (!internalBinding) return undefined;
  for (const cache of await closureVariables(client, internalBinding.value!.objectId!)) {
    if (!isPlainObject(cache.value)) continue;
    const methods = (await ownProperties(client, cache.value!.objectId!)).result.find((p) => p.name === 'process_methods');
    if (!methods?.value || !isPlainObject(methods.value)) continue;
    const found = await nativeCloseOf(client, methods.value.objectId!);
    if (found) return found;
  }
  return undefined;
}

/** `holder._debugEnd`, if it is an own data property holding the native function. */
async function nativeCloseOf(client: CdpClient, holderId: string): Promise<string | undefined> {
  const candidate = (await ownProperties(client, holderId)).result.find((p) => p.name === '_debugEnd')?.value;
  if (candidate?.type !== 'function' || candidate.description !== NATIVE_DEBUG_END || !candidate.objectId) return undefined;
  // A JS function has a location and a bound one a target: Node's native has neither.
  const internal = (await ownProperties(client, candidate.objectId)).internalProperties ?? [];
  if (internal.some((p) => p.name === '[[FunctionLocation]]' || p.name === '[[TargetFunction]]')) return undefined;
  return candidate.objectId;
}

/** The variables of a function's closures, the global scope left out (the program owns it). */
async function closureVariables(client: CdpClient, functionId: string): Promise<PropertyDescriptor[]> {
  const scopes = (await ownProperties(client, functionId)).internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
  if (!scopes) return [];
  const variables: PropertyDescriptor[] = [];
  for (const scope of (await ownProperties(client, scopes)).result) {
    if (!scope.value?.objectId || /^Global\b/.test(scope.value.description ?? '')) continue;
    variables.push(...(await ownProperties(client, scope.value.objectId)).result);
  }
  return variables;
}

function isPlainObject(value: RemoteObject | undefined): boolean {
  return value?.type === 'object' && value.subtype !== 'proxy' && value.subtype !== 'null' && value.objectId !== undefined;
}

function ownProperties(client: CdpClient, objectId: string): Promise<Properties> {
  return client.post('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false }) as Promise<Properties>;
}
