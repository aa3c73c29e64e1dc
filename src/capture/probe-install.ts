/**
 * The stack probe's holder installed in a process tripod did not start (reached
 * by SIGUSR1 or through its own inspector, no agent), by CDP reads and calls of
 * Node's verified natives alone, so none of the program's code runs even though
 * it had every chance to replace what a script would use:
 *
 * 1. Node's `internalBinding` and the process object, from the `process`
 *    accessor's closures (node-internals.ts);
 * 2. `internalBinding('contextify').makeContext`, a native V8 describes as such,
 *    called with Node's own `vm_context_no_contextify` symbol (from
 *    `internalBinding('symbols')`, which no program can reach): a fresh context
 *    whose global is its own, as `vm.createContext(vm.constants.DONT_CONTEXTIFY)`
 *    makes it, without node:vm's exports (shared with the program) being read;
 * 3. that context's own `Function` compiles the installer there, so its
 *    `Object.*` are the fresh context's; it gets the program's global, `process`
 *    and the native `getActiveResourcesInfo` (`internalBinding('process_methods')`'s,
 *    verified native) as arguments by object id.
 * Each call is a `Runtime.callFunctionOn` of `this(...)` on the verified
 * function: syntax alone, no name looked up in the program's realm. Where any
 * of it is missing (Node before 20.18 and 22.8 has no such symbol; a later major
 * than 24 is not assumed to take the same arguments), nothing is called and the
 * probe is not installed ("stack probe failed").
 */
import type { CdpClient } from './cdp';
import { findNodeInternals, nativeIn, ownProperties, type PropertyDescriptor, type RemoteObject } from './node-internals';
import { freshInstallerBody, INSTALLER_PARAMETERS, PROBE_HOLDER } from './probe-context';

/** Calls the verified function the call is applied to, with exactly the arguments given (makeContext checks their count). */
const CALL_1 = 'function tripodCall(a) { return this(a); }';
const CALL_4 = 'function tripodCall(a, b, c, d) { return this(a, b, c, d); }';
const CALL_7 = 'function tripodCall(a, b, c, d, e, f, g) { return this(a, b, c, d, e, f, g); }';
const CALL_5 = 'function tripodCall(a, b, c, d, e) { return this(a, b, c, d, e); }';

/** A CDP call argument; `{}` is undefined. */
type Argument = { value?: unknown; objectId?: string };
const UNDEFINED: Argument = {};

export class ProbeInstallFailed extends Error {}

/**
 * Installs the holder unless it is there (another attach's, installed meanwhile);
 * throws ProbeInstallFailed saying what was missing. `processProperty`: the
 * global's `process` descriptor where the caller read it already.
 */
export async function installHolderThroughNatives(cdp: CdpClient, processProperty?: PropertyDescriptor): Promise<void> {
  const [internals, global] = await Promise.all([findNodeInternals(cdp, { loader: false, processProperty }), cdp.post('Runtime.evaluate', { expression: 'this', silent: true }) as Promise<{ result: RemoteObject }>]);
  if (!internals.internalBinding || !internals.process) throw new ProbeInstallFailed("Node's internalBinding was not found");
  if (!global.result.objectId) throw new ProbeInstallFailed('the global object was not found');
  const [contextify, symbols, processMethods, processProperties] = await Promise.all([
    call(cdp, internals.internalBinding, CALL_1, [{ value: 'contextify' }]),
    call(cdp, internals.internalBinding, CALL_1, [{ value: 'symbols' }]),
    call(cdp, internals.internalBinding, CALL_1, [{ value: 'process_methods' }]),
    ownProperties(cdp, internals.process).then((own) => own.result),
  ]);
  // makeContext CHECKs its arguments (a mismatch aborts the process): only where its signature was measured.
  if (!measuredSignature(processProperties.find((p) => p.name === 'version')?.value)) throw new ProbeInstallFailed('this Node has no plain vm context to make');
  const [contextifyProperties, symbolList, methods] = await Promise.all([
    ownProperties(cdp, need(contextify, 'contextify')),
    ownProperties(cdp, need(symbols, 'symbols')),
    processMethods ? ownProperties(cdp, processMethods) : { result: [] },
  ]);
  const makeContext = nativeIn(contextifyProperties.result, 'makeContext');
  const symbol = (name: string) => symbolList.result.find((p) => p.name === name && p.value?.type === 'symbol' && p.value.description === `Symbol(${name})`)?.value?.objectId;
  const noContextify = symbol('vm_context_no_contextify');
  const noCallback = symbol('vm_dynamic_import_no_callback');
  if (!makeContext || !noContextify || !noCallback) throw new ProbeInstallFailed('this Node has no plain vm context to make');
  // vm.createContext(DONT_CONTEXTIFY)'s own call: name, origin, strings, wasm, own microtask queue, host-defined options.
  const fresh = await call(cdp, makeContext, CALL_7, [{ objectId: noContextify }, { value: 'tripod stack probe' }, UNDEFINED, { value: true }, { value: true }, { value: false }, { objectId: noCallback }]);
  const freshFunction = (await ownProperties(cdp, need(fresh, 'the fresh context'))).result.find((p) => p.name === 'Function')?.value;
  if (freshFunction?.type !== 'function' || !freshFunction.objectId) throw new ProbeInstallFailed('the fresh context has no Function');
  const installer = need(await call(cdp, freshFunction.objectId, CALL_5, [...INSTALLER_PARAMETERS.map((name) => ({ value: name })), { value: freshInstallerBody() }]), 'the installer');
  // Node's native behind process.getActiveResourcesInfo, which the program may have replaced.
  const activeResources = nativeIn(methods.result, 'getActiveResourcesInfo') ?? nativeIn(processProperties, 'getActiveResourcesInfo');
  const holder = await call(cdp, installer, CALL_4, [{ objectId: global.result.objectId }, { objectId: internals.process }, activeResources ? { objectId: activeResources } : UNDEFINED, { value: PROBE_HOLDER }]);
  need(holder, 'the holder');
}

/** `this(...)` on a verified function; the object id of what it returned (undefined for a primitive). */
async function call(cdp: CdpClient, functionId: string, declaration: string, args: Argument[]): Promise<string | undefined> {
  const answer = (await cdp.post('Runtime.callFunctionOn', { objectId: functionId, functionDeclaration: declaration, arguments: args, silent: true })) as {
    result: RemoteObject;
    exceptionDetails?: { exception?: RemoteObject; text?: string };
  };
  if (answer.exceptionDetails) throw new ProbeInstallFailed(answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text ?? 'a call threw');
  return answer.result.objectId;
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

function need(objectId: string | undefined, what: string): string {
  if (!objectId) throw new ProbeInstallFailed(`${what} was not found`);
  return objectId;
}
