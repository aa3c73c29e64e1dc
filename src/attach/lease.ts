/**
 * The lease: a second line of defence behind the guardian, for when tripod and
 * its guardian die together (a kill of their whole cgroup). The target holds a
 * timer that closes the inspector tripod opened unless tripod renews it — built
 * from V8's and Node's own native functions only, found by CDP reads and checked
 * by the description V8 gives them, so that no timer, getter or method the
 * program replaced (fake timers, a patched Promise) takes part:
 *
 * - the timer is `Atomics.waitAsync` with a timeout on a private
 *   SharedArrayBuffer (V8's own timer; Node runs it unref'd, so it never keeps
 *   the program alive);
 * - its promise is reacted to with the intrinsic `then`, called as an own
 *   property under a key made up per attach, after an own `constructor` of
 *   undefined (so `then` looks up no species): no lookup reaches the program;
 * - on expiry it closes only the inspector it was armed for: Node's native
 *   inspector `url()` (a new UUID each time the inspector opens) must be
 *   unchanged, so a lease left by a dead tripod never cuts a later one's session;
 * - and only after one more turn of the event loop: expiry runs in the timers
 *   phase, before the poll phase that delivers tripod's queued renewals (a main
 *   thread back from a long native call), which then cancel it.
 *
 * When any of these cannot be found and verified, there is no lease (the guardian
 * and the marker still apply).
 */
import { randomBytes } from 'node:crypto';
import type { CdpClient } from '../capture/cdp';
import { nativeMember } from './loop-turn';
import { closureVariables, globalProperties, isPlainObject, nativeIn, ownProperties, prototypeOfMade, type PropertyDescriptor } from '../capture/node-internals';

/** Long: the guardian closes at once; the lease matters only when it died too. */
export const LEASE_MS = 10_000;
export const LEASE_RENEW_MS = 2500;

/** Arms the lease; `this` is the verified `_debugEnd`. Returns the renew function (renew(true) ends the lease). */
const ARM_LEASE = (key: string) => `function tripodArmLease(waitAsync, Int32Array, SharedArrayBuffer, defineProperty, then, url, ms) {
  const close = this;
  const armedFor = url();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let generation = 0;
  function after(delay, callback) {
    const expired = waitAsync(cell, 0, 0, delay).value;
    defineProperty(expired, 'constructor', { __proto__: null, value: void 0 });
    defineProperty(expired, '${key}', { __proto__: null, value: then });
    expired['${key}'](callback);
  }
  function arm(mine) {
    try {
      after(ms, function tripodLeaseExpired() {
        try {
          if (mine === generation) after(1, function tripodLeaseConfirmed() {
            try {
              if (mine === generation && url() === armedFor) close();
            } catch {}
          });
        } catch {}
      });
    } catch {}
  }
  return function tripodRenewLease(stop) {
    generation++;
    if (!stop) arm(generation);
  };
}`;
const CALL_WITH = 'function tripodRenew(stop) { this(stop); }';

export interface Lease {
  renew(): void;
  /** Ends it, so it never fires (before tripod closes the inspector itself). */
  end(): Promise<void>;
}

/** Arms a lease in the target, or undefined when its natives cannot all be verified. */
export async function armLease(client: CdpClient, closeId: string): Promise<Lease | undefined> {
  const natives = await leaseNatives(client).catch(() => undefined);
  if (!natives) return undefined;
  const key = `tripodLease${randomBytes(8).toString('hex')}`;
  const args = [natives.waitAsync, natives.Int32Array, natives.SharedArrayBuffer, natives.defineProperty, natives.then, natives.url].map((objectId) => ({ objectId }));
  const armed = (await client.post('Runtime.callFunctionOn', {
    objectId: closeId,
    functionDeclaration: ARM_LEASE(key),
    arguments: [...args, { value: LEASE_MS }],
    silent: true,
  })) as { result: { type: string; objectId?: string } };
  const renewId = armed.result.type === 'function' ? armed.result.objectId : undefined;
  if (!renewId) return undefined;
  const call = (stop: boolean) => client.post('Runtime.callFunctionOn', { objectId: renewId, functionDeclaration: CALL_WITH, arguments: [{ value: stop }], silent: true });
  await call(false);
  return {
    renew: () => void call(false).catch(() => {}),
    end: () => call(true).then(
      () => {},
      () => {},
    ),
  };
}

interface LeaseNatives {
  waitAsync: string;
  Int32Array: string;
  SharedArrayBuffer: string;
  defineProperty: string;
  then: string;
  url: string;
}

async function leaseNatives(client: CdpClient): Promise<LeaseNatives | undefined> {
  const globals = await globalProperties(client);
  const [waitAsync, defineProperty, then, url] = await Promise.all([
    nativeMember(client, globals, 'Atomics', 'waitAsync'),
    nativeMember(client, globals, 'Object', 'defineProperty'),
    intrinsicThen(client),
    inspectorUrl(client, globals),
  ]);
  const Int32Array = nativeIn(globals, 'Int32Array');
  const SharedArrayBuffer = nativeIn(globals, 'SharedArrayBuffer');
  if (!waitAsync || !defineProperty || !then || !url || !Int32Array || !SharedArrayBuffer) return undefined;
  return { waitAsync, Int32Array, SharedArrayBuffer, defineProperty, then, url };
}

/** %Promise.prototype.then%, through the prototype of a promise V8 itself made (an async function's). */
async function intrinsicThen(client: CdpClient): Promise<string | undefined> {
  const prototype = await prototypeOfMade(client, '(async function tripodPromise() {})()');
  return prototype ? nativeIn((await ownProperties(client, prototype)).result, 'then') : undefined;
}

/** Node's native inspector `url()`, from the binding cache behind its `internalBinding` (as for `_debugEnd`). */
async function inspectorUrl(client: CdpClient, globals: PropertyDescriptor[]): Promise<string | undefined> {
  const getter = globals.find((p) => p.name === 'process')?.get;
  if (getter?.type !== 'function' || !getter.objectId) return undefined;
  const internalBinding = (await closureVariables(client, getter.objectId)).find((v) => v.name === 'internalBinding' && v.value?.type === 'function');
  if (!internalBinding?.value?.objectId) return undefined;
  for (const cache of (await closureVariables(client, internalBinding.value.objectId)).filter((v) => /binding/i.test(v.name) && isPlainObject(v.value))) {
    const binding = (await ownProperties(client, cache.value!.objectId!)).result.find((p) => p.name === 'inspector')?.value;
    if (!binding || !isPlainObject(binding)) continue;
    const url = nativeIn((await ownProperties(client, binding.objectId!)).result, 'url');
    if (url) return url;
  }
  return undefined;
}
