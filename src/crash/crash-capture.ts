/**
 * Crash capture: with the Debugger domain held and pause-on-exceptions set to
 * "uncaught", V8 stops the main thread at the throw of an exception nothing will
 * catch; tripod reads every frame's locals there and lets the exception go on.
 * The domain is not free (it slows async code), which is why this is opt-in.
 */
import type { Protocol } from 'devtools-protocol';
import type { Capturer } from '../capture/capturer';
import type { CdpClient } from '../capture/cdp';
import { stackText } from '../frames/frame-text';
import { redactCredentials, type SecretTest } from '../capture/redact';
import type { CrashConfig } from '../config';
import type { RecordSink } from '../record/sink';
import { debugLog } from '../diagnostics/debug-log';
import type { CrashRecord } from '../record/records';
import { REQUESTS_HOLDER } from '../requests/tracker';

/** Requests of each kind listed, as a sample lists them. */
const LISTED_REQUESTS = 20;

const debug = debugLog('crash');

export async function startCrashCapture(cdp: CdpClient, capturer: Capturer, config: CrashConfig, sink: RecordSink, isSecret: SecretTest): Promise<void> {
  capturer.handleExceptions(async (event, frames, moreFrames) => {
    debug('paused at an uncaught %s (%s frames read)', event.reason, frames.length);
    const origin = event.reason === 'promiseRejection' ? 'rejection' : 'exception';
    if (origin === 'rejection' && !config.rejections) return;
    const error = thrownValue(event.data as Protocol.Runtime.RemoteObject | undefined);
    const requests = await requestsAtThrow(cdp);
    // A message can carry a credential (a URL with its password, a token): redacted as string values are.
    sink.crash({ origin, error: { ...error, message: redactCredentials(error.message, isSecret) }, frames, stack: stackText(frames, moreFrames), ...requests });
  });
  await cdp.post('Debugger.enable', {});
  // The held domain must not make `debugger;` statements stop the program (2,000 of them cost 1.5 s):
  // breakpoints off for tripod's session, exceptions still pause. A debugger of the program's keeps its own.
  await cdp.post('Debugger.setBreakpointsActive', { active: false });
  await cdp.post('Debugger.setPauseOnExceptions', { state: 'uncaught' });
}

/**
 * The request table (requests/tracker.ts) as it stands at the throw, read while the thread is paused there:
 * the frozen holder's snapshot, which uses only built-ins captured before the program ran. Reached from the
 * global object (`this` of a global evaluation), whose holder property nobody can replace.
 */
async function requestsAtThrow(cdp: CdpClient): Promise<Pick<CrashRecord, 'inFlight' | 'request'>> {
  try {
    const { result } = await cdp.post('Runtime.evaluate', {
      expression: `(function (holder) { return holder ? holder.snapshot(${LISTED_REQUESTS}) : ''; })(this.${REQUESTS_HOLDER})`,
      returnByValue: true,
      silent: true,
    });
    if (typeof result.value !== 'string' || result.value === '') return {};
    const { inFlight, request } = JSON.parse(result.value) as Pick<CrashRecord, 'inFlight' | 'request'>;
    return { ...(inFlight ? { inFlight } : {}), ...(request ? { request } : {}) };
  } catch (error) {
    debug('no requests read at the throw: %s', (error as Error)?.message ?? error);
    return {};
  }
}

function thrownValue(thrown: Protocol.Runtime.RemoteObject | undefined): { name: string; message: string } {
  if (!thrown) return { name: 'unknown', message: '' };
  if (thrown.subtype === 'error') {
    const firstLine = (thrown.description ?? '').split('\n')[0];
    const name = thrown.className ?? 'Error';
    return { name, message: firstLine.startsWith(`${name}: `) ? firstLine.slice(name.length + 2) : firstLine };
  }
  return { name: thrown.type, message: String(thrown.value ?? thrown.description ?? '') };
}
