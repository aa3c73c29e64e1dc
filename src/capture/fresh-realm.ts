/**
 * A realm of tripod's own in a target it did not start, made by CDP reads and
 * calls of Node's verified natives alone, for code of tripod's that must run
 * there without any built-in the program could have replaced:
 *
 * 1. Node's `internalBinding` and the process object, from the `process`
 *    accessor's closures (node-internals.ts);
 * 2. `internalBinding('contextify').makeContext`, a native V8 describes as such,
 *    called with Node's own `vm_context_no_contextify` symbol (from
 *    `internalBinding('symbols')`, which no program can reach): a fresh context
 *    whose global is its own, as `vm.createContext(vm.constants.DONT_CONTEXTIFY)`
 *    makes it, without node:vm's exports (shared with the program) being read;
 * 3. that context's own `Function` compiles tripod's code there, so its
 *    `Reflect`, `Object`, `Array`... are the fresh context's; what it reads of
 *    the program's comes in as arguments, by object id.
 * Each call is a `Runtime.callFunctionOn` of `this(...)` on the verified
 * function: syntax alone, no name looked up in the program's realm. Where any
 * of it is missing (Node before 20.18 and 22.8 has no such symbol; a later major
 * than 24 is not assumed to take the same arguments), nothing is called and
 * FreshRealmUnavailable says what was missing.
 */
import type { CdpClient } from './cdp';
import { findNodeInternals, nativeIn, ownProperties, type PropertyDescriptor, type RemoteObject } from './node-internals';

/** A CDP call argument; `{}` is undefined. */
export type Argument = { value?: unknown; objectId?: string };
export const UNDEFINED: Argument = {};

export class FreshRealmUnavailable extends Error {}

/** This Node has no plain vm context to make (before 20.18 and 22.8, or a later major than measured): the one cause a caller may route around. */
export class FreshRealmTooOld extends FreshRealmUnavailable {
  constructor() {
    super('this Node has no plain vm context to make');
  }
}

export interface FreshRealm {
  /** The fresh context's own `Function`, which compiles in it. */
  Function: string;
  /** Node's internalBinding (a verified JS function of Node's), the process object and the program's global. */
  internalBinding: string;
  process: string;
  global: string;
  /** The process object's own properties, as read on the way. */
  processProperties: PropertyDescriptor[];
}

/** `name` names the context (V8 shows it in a heap snapshot); `processProperty`: the global's `process` descriptor where the caller read it already. */
async function makeFreshRealm(cdp: CdpClient, name: string, processProperty?: PropertyDescriptor): Promise<FreshRealm> {
  const [internals, global] = await Promise.all([findNodeInternals(cdp, processProperty), cdp.post('Runtime.evaluate', { expression: 'this', silent: true }) as Promise<{ result: RemoteObject }>]);
  if (!internals.internalBinding || !internals.process) throw new FreshRealmUnavailable("Node's internalBinding was not found");
  if (!global.result.objectId) throw new FreshRealmUnavailable('the global object was not found');
  const [contextify, symbols, processProperties] = await Promise.all([
    callVerified(cdp, internals.internalBinding, [{ value: 'contextify' }]),
    callVerified(cdp, internals.internalBinding, [{ value: 'symbols' }]),
    ownProperties(cdp, internals.process).then((own) => own.result),
  ]);
  // makeContext CHECKs its arguments (a mismatch aborts the process): only where its signature was measured.
  // (process.version is read-only and not configurable: no program can make a Node look older.)
  if (!measuredSignature(processProperties.find((p) => p.name === 'version')?.value)) throw new FreshRealmTooOld();
  const [contextifyProperties, symbolList] = await Promise.all([ownProperties(cdp, need(contextify, 'contextify')), ownProperties(cdp, need(symbols, 'symbols'))]);
  const makeContext = nativeIn(contextifyProperties.result, 'makeContext');
  const symbol = (symbolName: string) => symbolList.result.find((p) => p.name === symbolName && p.value?.type === 'symbol' && p.value.description === `Symbol(${symbolName})`)?.value?.objectId;
  const noContextify = symbol('vm_context_no_contextify');
  const noCallback = symbol('vm_dynamic_import_no_callback');
  if (!makeContext || !noContextify || !noCallback) throw new FreshRealmTooOld();
  // vm.createContext(DONT_CONTEXTIFY)'s own call: name, origin, strings, wasm, own microtask queue, host-defined options.
  const fresh = await callVerified(cdp, makeContext, [{ objectId: noContextify }, { value: name }, UNDEFINED, { value: true }, { value: true }, { value: false }, { objectId: noCallback }]);
  const freshFunction = (await ownProperties(cdp, need(fresh, 'the fresh context'))).result.find((p) => p.name === 'Function')?.value;
  if (freshFunction?.type !== 'function' || !freshFunction.objectId) throw new FreshRealmUnavailable('the fresh context has no Function');
  return { Function: freshFunction.objectId, internalBinding: internals.internalBinding, process: internals.process, global: global.result.objectId, processProperties };
}

const shared = new WeakMap<CdpClient, Promise<FreshRealm>>();

/**
 * Runs `use` on the realm this client made already (the probe's install, the
 * reader and the console share one: each realm costs some fifteen round trips),
 * or on a new one. A client whose session is replaced by a new one (a capture
 * session connected per capture) says so by forgetFreshRealm: V8 numbers object
 * ids per session, so an id of the last session may name another object in the
 * next, and is never used there. An id that names nothing any more fails the
 * call: `use` then runs once more on a realm made now.
 */
export async function withFreshRealm<T>(cdp: CdpClient, use: (realm: FreshRealm) => Promise<T>, processProperty?: PropertyDescriptor): Promise<T> {
  const known = shared.get(cdp);
  if (known) {
    const realm = await known.catch(() => undefined);
    if (realm) {
      try {
        return await use(realm);
      } catch (error) {
        if (!isStaleId(error)) throw error;
      }
    }
  }
  const made = makeFreshRealm(cdp, 'tripod', processProperty);
  shared.set(cdp, made);
  made.catch(() => shared.get(cdp) === made && shared.delete(cdp));
  return use(await made);
}

/** The client's session was replaced: the realm it made is made again at its next use. */
export function forgetFreshRealm(cdp: CdpClient): void {
  shared.delete(cdp);
}

/** V8's answer to an object id it does not know (InjectedScript's "Could not find object with given id"). */
function isStaleId(error: unknown): boolean {
  return error instanceof Error && /could not find object with given id|cannot find context with specified id/i.test(error.message);
}

/** A function compiled by the fresh context's Function, from `parameters` and `body`. */
export async function compileIn(cdp: CdpClient, realm: FreshRealm, parameters: readonly string[], body: string): Promise<string> {
  return need(await callVerified(cdp, realm.Function, [...parameters.map((name) => ({ value: name })), { value: body }]), 'the compiled function');
}

/** `internalBinding(name)`'s object (Node's natives, out of the program's reach), or undefined. */
export function bindingOf(cdp: CdpClient, realm: FreshRealm, name: string): Promise<string | undefined> {
  return callVerified(cdp, realm.internalBinding, [{ value: name }]);
}

/**
 * `this(...)` on a verified function, with exactly the arguments given (makeContext checks their
 * count); the object id of what it returned (undefined for a primitive); a throw is FreshRealmUnavailable.
 */
export async function callVerified(cdp: CdpClient, functionId: string, args: Argument[]): Promise<string | undefined> {
  const answer = (await cdp.post('Runtime.callFunctionOn', { objectId: functionId, functionDeclaration: callDeclaration(args.length), arguments: args, silent: true })) as {
    result: RemoteObject;
    exceptionDetails?: { exception?: RemoteObject; text?: string };
  };
  if (answer.exceptionDetails) throw new FreshRealmUnavailable(answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text ?? 'a call threw');
  return answer.result.objectId;
}

/** "function tripodCall(a0, a1) { return this(a0, a1); }" */
export function callDeclaration(count: number): string {
  const names = Array.from({ length: count }, (_, i) => `a${i}`).join(', ');
  return `function tripodCall(${names}) { return this(${names}); }`;
}

/**
 * Node whose makeContext takes the seven arguments of
 * `vm.createContext(vm.constants.DONT_CONTEXTIFY)`: 20.18+, 22.8+, 23 and 24
 * (measured on 20.20 and 24.22). A later major is not guessed at.
 */
function measuredSignature(version: RemoteObject | undefined): boolean {
  const [major, minor] = /^v(\d+)\.(\d+)\./.exec(typeof version?.value === 'string' ? version.value : '')?.slice(1).map(Number) ?? [];
  if (major === undefined || minor === undefined) return false;
  return (major === 20 && minor >= 18) || (major === 22 && minor >= 8) || major === 23 || major === 24;
}

export function need(objectId: string | undefined, what: string): string {
  if (!objectId) throw new FreshRealmUnavailable(`${what} was not found`);
  return objectId;
}
