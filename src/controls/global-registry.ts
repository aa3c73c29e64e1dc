/**
 * globalThis[Symbol.for("tripod.flags")] from outside, with no name looked up in
 * the program and no listing of the global object (on Node 24 a getProperties of
 * it materialises Node's lazy globals, whose loading calls what the program
 * replaced: docs/design.md, "Closing what SIGUSR1 opened"). The natives it uses
 * (Object.getOwnPropertyDescriptor, getOwnPropertySymbols, defineProperty; Symbol.for
 * only to make a registry) are found through an object literal's prototype and
 * the global's own `Symbol`, each verified by V8's own description, and called by object id.
 */
import { nativeIn, ownProperties, prototypeOfMade } from '../capture/node-internals';
import { REGISTRY_KEY } from '../flags/index';
import { UserError } from '../errors';
import { CONTROLS_GROUP, type TimedCdp } from './timed-cdp';

export interface GlobalAccess {
  globalId: string;
  /** The registry's key, Symbol.for("tripod.flags"), as a remote symbol; absent when the global has no such key. */
  keyId?: string;
  defineProperty: string;
}

const CALL_WITH = 'function tripodCallNative(a, b, c) { return this(a, b, c); }';
/** Defines the registry tripod made, as the flags module does: not enumerable, not writable. */
const DEFINE = 'function tripodDefineRegistry(target, key, made) { this(target, key, { value: made, configurable: true }); return made; }';

/** Where the registry is looked up and defined; undefined when a native cannot be verified (tripod then reads no registry). */
export async function globalAccess(cdp: TimedCdp): Promise<{ access?: GlobalAccess; describe?: string }> {
  const [global, objectPrototype] = await Promise.all([
    cdp.post('Runtime.evaluate', { expression: 'this', objectGroup: CONTROLS_GROUP, silent: true }),
    prototypeOfMade(cdp, '({})'),
  ]);
  const globalId = global.result.objectId;
  if (!globalId || !objectPrototype) return {};
  const object = (await ownProperties(cdp, objectPrototype)).result.find((p) => p.name === 'constructor')?.value;
  if (object?.type !== 'function' || object.description !== 'function Object() { [native code] }' || !object.objectId) return {};
  const statics = (await ownProperties(cdp, object.objectId)).result;
  const describe = nativeIn(statics, 'getOwnPropertyDescriptor');
  const defineProperty = nativeIn(statics, 'defineProperty');
  if (!describe || !defineProperty) return {};
  const symbols = nativeIn(statics, 'getOwnPropertySymbols');
  if (!symbols) return { describe };
  // The global's symbol keys (no value read, so no lazy global is made), and the one tripod's registry is under.
  const keys = await cdp.post('Runtime.callFunctionOn', { objectId: symbols, functionDeclaration: CALL_WITH, arguments: [{ objectId: globalId }], objectGroup: CONTROLS_GROUP, silent: true });
  if (!keys.result.objectId) return { describe };
  const key = (await ownProperties(cdp, keys.result.objectId)).result.find((p) => /^\d+$/.test(p.name) && p.value?.type === 'symbol' && p.value.description === `Symbol(${REGISTRY_KEY})`);
  return { access: { globalId, keyId: key?.value?.objectId, defineProperty }, describe };
}

/** The registry's object id, if the program (or an earlier tripod) made one. */
export async function registryOf(cdp: TimedCdp, access: GlobalAccess, describe: string): Promise<string | undefined> {
  if (!access.keyId) return undefined;
  const value = await ownValue(cdp, describe, access.globalId, { objectId: access.keyId });
  return value?.type === 'object' ? value.objectId : undefined;
}

/** An own data property's value, read through the verified getOwnPropertyDescriptor; undefined for none or an accessor. */
async function ownValue(cdp: TimedCdp, describe: string, objectId: string, key: { value: string } | { objectId: string }) {
  const answer = await cdp.post('Runtime.callFunctionOn', { objectId: describe, functionDeclaration: CALL_WITH, arguments: [{ objectId }, key], objectGroup: CONTROLS_GROUP, silent: true });
  if (answer.result.type !== 'object' || !answer.result.objectId) return undefined;
  return (await ownProperties(cdp, answer.result.objectId)).result.find((p) => p.name === 'value')?.value;
}

/** Defines a registry tripod made (from the flags module's own source) on the global, under its key. */
export async function defineRegistry(cdp: TimedCdp, access: GlobalAccess, madeId: string): Promise<string> {
  const keyId = access.keyId ?? (await registeredKey(cdp, access.globalId));
  const { result } = await cdp.post('Runtime.callFunctionOn', {
    objectId: access.defineProperty,
    functionDeclaration: DEFINE,
    arguments: [{ objectId: access.globalId }, { objectId: keyId }, { objectId: madeId }],
    objectGroup: CONTROLS_GROUP,
    silent: true,
  });
  return result.objectId!;
}

/**
 * Symbol.for("tripod.flags"), to make the registry under (only then: a program that never loaded
 * tripod/flags has no key yet): the global's own `Symbol`, verified native, and its native `for`.
 */
async function registeredKey(cdp: TimedCdp, globalId: string): Promise<string> {
  const refused = new UserError('tripod flags: this process replaced Symbol or Symbol.for, which tripod needs to keep what it changes; nothing was changed', 1);
  const { describe } = await globalAccess(cdp);
  if (!describe) throw refused;
  const symbol = await ownValue(cdp, describe, globalId, { value: 'Symbol' });
  if (symbol?.description !== 'function Symbol() { [native code] }' || !symbol.objectId) throw refused;
  const symbolFor = nativeIn((await ownProperties(cdp, symbol.objectId)).result, 'for');
  if (!symbolFor) throw refused;
  const key = await cdp.post('Runtime.callFunctionOn', { objectId: symbolFor, functionDeclaration: CALL_WITH, arguments: [{ value: REGISTRY_KEY }], objectGroup: CONTROLS_GROUP, silent: true });
  if (key.result.type !== 'symbol' || !key.result.objectId) throw refused;
  return key.result.objectId;
}
