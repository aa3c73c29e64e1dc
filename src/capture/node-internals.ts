/**
 * Reading Node's own objects in a target through CDP alone: Runtime.getProperties
 * of own properties, internal properties and closures, which never calls a getter
 * or a trap of the program's, and natives verified by V8's description of them.
 * Here are found what tripod calls in a process it did not start: Node's
 * `internalBinding` and internal loader `requireBuiltin` (the closures of the
 * `process` accessor), and the process object itself.
 */
import type { CdpClient } from './cdp';
import { scopeChain } from './closure-scopes';

export interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  set?: RemoteObject;
}

export interface RemoteObject {
  type: string;
  /** A primitive's value. */
  value?: unknown;
  subtype?: string;
  description?: string;
  objectId?: string;
}

export interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: PropertyDescriptor[];
}

/** The globals tripod's attach reads by default: where Node keeps `_debugEnd`, and the natives of the lease and the loop-turn probe. */
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
export async function globalProperties(client: CdpClient, names: readonly string[] = GLOBALS_READ): Promise<PropertyDescriptor[]> {
  // `this` at the top of a script is the global object itself: no name is looked up.
  const [global, describe] = await Promise.all([client.post('Runtime.evaluate', { expression: 'this', silent: true }) as Promise<{ result: RemoteObject }>, nativeDescribe(client)]);
  if (!global.result.objectId || !describe) return [];
  const found = await Promise.all(names.map((name) => ownDescriptor(client, describe, global.result.objectId!, name)));
  return found.filter((property): property is PropertyDescriptor => property !== undefined);
}

/** %Object.getOwnPropertyDescriptor%, through the prototype of an object V8 itself made. */
export async function nativeDescribe(client: CdpClient): Promise<string | undefined> {
  const prototype = await prototypeOfMade(client, '({})');
  if (!prototype) return undefined;
  const constructor = await frozenOrPlainValue(client, (await ownProperties(client, prototype)).result, 'constructor');
  if (constructor?.type !== 'function' || constructor.description !== 'function Object() { [native code] }' || !constructor.objectId) return undefined;
  return nativeOf(await frozenOrPlainValue(client, (await ownProperties(client, constructor.objectId)).result, 'getOwnPropertyDescriptor'), 'getOwnPropertyDescriptor');
}

/**
 * An own property's value: a data property's, or, where `node --frozen-intrinsics`
 * made it an accessor (so that assigning to a frozen prototype's name still
 * works), the `value` its getter's closure holds, read, the getter never called.
 */
async function frozenOrPlainValue(client: CdpClient, properties: PropertyDescriptor[], name: string): Promise<RemoteObject | undefined> {
  const property = properties.find((p) => p.name === name);
  if (property?.value || property?.get?.type !== 'function' || !property.get.objectId) return property?.value;
  return (await closureVariables(client, property.get.objectId)).find((v) => v.name === 'value')?.value;
}

/** The object id of a function V8 describes as the native of that name. */
function nativeOf(value: RemoteObject | undefined, name: string): string | undefined {
  return value?.type === 'function' && value.description === `function ${name}() { [native code] }` ? value.objectId : undefined;
}

/** The [[Prototype]] of what `expression` (syntax alone, no name looked up) makes: an intrinsic prototype. */
export async function prototypeOfMade(client: CdpClient, expression: string): Promise<string | undefined> {
  const made = (await client.post('Runtime.evaluate', { expression, silent: true })) as { result: RemoteObject };
  if (!made.result.objectId) return undefined;
  return (await ownProperties(client, made.result.objectId)).internalProperties?.find((p) => p.name === '[[Prototype]]')?.value?.objectId;
}

/** An own data property holding the native function of that name (V8's description proves it). */
export function nativeIn(properties: PropertyDescriptor[], name: string): string | undefined {
  return nativeOf(properties.find((p) => p.name === name)?.value, name);
}

/** util.types' natives (and internalBinding('types')') are named on Node 20 and anonymous on Node 24: either way V8 describes native code. */
export function typesNativeIn(properties: PropertyDescriptor[], name: string): string | undefined {
  const value = properties.find((p) => p.name === name)?.value;
  const native = value?.description === `function ${name}() { [native code] }` || value?.description === 'function () { [native code] }';
  return value?.type === 'function' && native ? value.objectId : undefined;
}

/** `name`'s own descriptor on the object, as getProperties would list it; undefined where it has none. */
export async function ownDescriptor(client: CdpClient, describe: string, objectId: string, name: string): Promise<PropertyDescriptor | undefined> {
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
export async function firstFound(searches: Array<Promise<string | undefined>>): Promise<string | undefined> {
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

/** The internal loader and `internalBinding`, by V8's description of them (their sources begin so). */
const REQUIRE_BUILTIN = /^function requireBuiltin\(id\) \{/;
const INTERNAL_BINDING = /^function internalBinding\(module\) \{/;

/** Node's own functions behind the `process` accessor, as object ids; absent where they were not found as Node made them. */
export interface NodeInternals {
  /** The process object the accessor returns (read from its closure, the accessor never called). */
  process?: string;
  internalBinding?: string;
  requireBuiltin?: string;
}

/**
 * The `process` accessor's closure holds the process object and Node's
 * `internalBinding`, whose closure holds the internal loader's `requireBuiltin`.
 * A program that redefined `globalThis.process` leaves no such closure: nothing is found.
 * `processProperty`: the global's `process` descriptor where the caller read it already.
 */
export async function findNodeInternals(client: CdpClient, processProperty?: PropertyDescriptor): Promise<NodeInternals> {
  const property = processProperty ?? (await globalProperties(client, ['process'])).find((p) => p.name === 'process');
  const getter = property?.get ?? (await lookedUpGetter(client, 'process'));
  if (getter?.type !== 'function' || !getter.objectId) return {};
  const variables = await closureVariables(client, getter.objectId);
  const processObject = variables.find((v) => v.name === 'process' && v.value?.type === 'object' && v.value.description === 'process')?.value?.objectId;
  const binding = variables.find((v) => v.name === 'internalBinding' && v.value?.type === 'function')?.value;
  if (!binding?.objectId || !INTERNAL_BINDING.test(binding.description ?? '')) return { process: processObject };
  const bootstrap = await closureVariables(client, binding.objectId);
  if (!bootstrapClosure(bootstrap)) return { process: processObject };
  // The loader is in the closure just read for the check: no more round trips.
  const found = bootstrap.find((v) => v.name === 'requireBuiltin')?.value;
  const requireBuiltin = found?.type === 'function' && REQUIRE_BUILTIN.test(found.description ?? '') ? found.objectId : undefined;
  return { process: processObject, internalBinding: binding.objectId, requireBuiltin };
}

/**
 * Whether the closure of a function whose source reads as Node's internalBinding
 * is Node's realm bootstrap: it holds the native ModuleWrap, which no program can
 * reach (module_wrap is not among process.binding's modules) nor forge (V8
 * describes a function of the program's by its source, a bound one without a
 * name). A source text alone can be copied by a program that replaced the
 * `process` accessor with one of its own.
 */
function bootstrapClosure(variables: PropertyDescriptor[]): boolean {
  const moduleWrap = variables.find((v) => v.name === 'ModuleWrap')?.value;
  return moduleWrap?.type === 'function' && moduleWrap.subtype === undefined && moduleWrap.description === 'function ModuleWrap() { [native code] }';
}

/** Node's internal `requireBuiltin`, in the closure of `internalBinding`, in the closure of the `process` accessor. */
export async function findRequireBuiltin(client: CdpClient): Promise<string | undefined> {
  return (await findNodeInternals(client)).requireBuiltin;
}

/**
 * The CommonJS module cache (require.cache is Node's Module._cache): Node's
 * loader module from its internal requireBuiltin, then `Module` and `_cache`
 * read as own data properties (`found`: the requireBuiltin a caller found
 * already). Not the console's `require.cache`: the inspector gives way to a
 * `require` the program put on its global, which may be a getter or a Proxy.
 */
export async function findModuleCache(client: CdpClient, found?: string): Promise<string | undefined> {
  const requireBuiltin = found ?? (await findRequireBuiltin(client));
  if (!requireBuiltin) return undefined;
  const loader = (await client.post('Runtime.callFunctionOn', {
    objectId: requireBuiltin,
    functionDeclaration: 'function tripodRequireBuiltin(id) { return this(id); }',
    arguments: [{ value: 'internal/modules/cjs/loader' }],
    silent: true,
  })) as { result: RemoteObject; exceptionDetails?: unknown };
  if (loader.exceptionDetails || !loader.result.objectId) return undefined;
  const module = dataValue((await ownProperties(client, loader.result.objectId)).result, 'Module', 'function');
  if (!module) return undefined;
  return dataValue((await ownProperties(client, module)).result, '_cache', 'object');
}

/** An own data property's object id, where its value is of that type (never a Proxy). */
function dataValue(properties: PropertyDescriptor[], name: string, type: 'function' | 'object'): string | undefined {
  const value = properties.find((p) => p.name === name && !p.get && !p.set)?.value;
  return value?.type === type && value.subtype !== 'proxy' ? value.objectId : undefined;
}

/** Looks the accessor up from an object whose prototype is the global: `this` is the verified native __lookupGetter__. */
const LOOK_UP_GETTER = 'function tripodLookUpGetter(global, key) { return { __proto__: global, lookUp: this }.lookUp(key); }';

/**
 * The getter of a global accessor where the program replaced
 * Object.getOwnPropertyDescriptor: %Object.prototype.__lookupGetter__%, found on
 * the prototype of an object literal and verified native, returns it without
 * calling it (its receiver made by syntax alone, the global its prototype).
 */
async function lookedUpGetter(client: CdpClient, name: string): Promise<RemoteObject | undefined> {
  const prototype = await prototypeOfMade(client, '({})');
  const global = (await client.post('Runtime.evaluate', { expression: 'this', silent: true })) as { result: RemoteObject };
  const lookUp = prototype ? nativeOf(await frozenOrPlainValue(client, (await ownProperties(client, prototype)).result, '__lookupGetter__'), '__lookupGetter__') : undefined;
  if (!lookUp || !global.result.objectId) return undefined;
  const answer = (await client.post('Runtime.callFunctionOn', {
    objectId: lookUp,
    functionDeclaration: LOOK_UP_GETTER,
    arguments: [{ objectId: global.result.objectId }, { value: name }],
    silent: true,
  })) as { result: RemoteObject; exceptionDetails?: unknown };
  return answer.exceptionDetails ? undefined : answer.result;
}
