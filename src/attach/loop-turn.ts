/**
 * Whether the target's event loop has turned since now: evidence that SIGUSR1's
 * second wake-up is spent. The signal queues a libuv async handle that starts
 * the inspector when the loop's poll phase next runs; closing the inspector
 * before that would let it open again then. A capture that found the main
 * thread idle is such evidence; this probe is for the others (a capture that
 * landed in a timer's callback): V8's own timer, `Atomics.waitAsync` with a
 * 1 ms timeout, settles its promise only in a timers phase that follows a poll
 * phase run after it was armed. Its natives are found and verified by CDP reads,
 * and its state is read from the promise, so nothing of the program's runs.
 */
import type { CdpClient } from '../capture/cdp';
import { globalProperties, isPlainObject, nativeIn, ownProperties, type PropertyDescriptor } from '../capture/node-internals';

const ARM = 'function tripodLoopTurn(Int32Array, SharedArrayBuffer) { return this(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1).value; }';
const POLL_MS = 5;

/** Arms the probe and waits up to `waitMs` for the loop to turn; false where the natives cannot be verified. */
export async function loopTurnsWithin(client: CdpClient, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  const globals = await globalProperties(client);
  const waitAsync = await nativeMember(client, globals, 'Atomics', 'waitAsync');
  const int32Array = nativeIn(globals, 'Int32Array');
  const sharedArrayBuffer = nativeIn(globals, 'SharedArrayBuffer');
  if (!waitAsync || !int32Array || !sharedArrayBuffer) return false;
  const armed = (await client.post('Runtime.callFunctionOn', {
    objectId: waitAsync,
    functionDeclaration: ARM,
    arguments: [{ objectId: int32Array }, { objectId: sharedArrayBuffer }],
    silent: true,
  })) as { result: { subtype?: string; objectId?: string } };
  if (armed.result.subtype !== 'promise' || !armed.result.objectId) return false;
  for (;;) {
    const state = (await ownProperties(client, armed.result.objectId)).internalProperties?.find((p) => p.name === '[[PromiseState]]')?.value as { value?: string } | undefined;
    if (state?.value !== undefined && state.value !== 'pending') return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** `holder.member` for a global holder (an object or a function), read as own data properties. */
export async function nativeMember(client: CdpClient, globals: PropertyDescriptor[], holder: string, member: string): Promise<string | undefined> {
  const value = globals.find((p) => p.name === holder)?.value;
  if (!value?.objectId || !(value.type === 'function' || isPlainObject(value))) return undefined;
  return nativeIn((await ownProperties(client, value.objectId)).result, member);
}
