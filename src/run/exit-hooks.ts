/**
 * Notices the ways the target can end that leave it time to say so — normal
 * exit, process.exit, an uncaught exception or unhandled rejection that ends it —
 * and reports it once, without changing how the process ends.
 *
 * tripod holds no SIGINT/SIGTERM/SIGHUP listener: a listener turns off the
 * signal's default action, and Node runs listeners only from the event loop, so a
 * busy program would outlive the signal. A program that does not listen dies by
 * the signal at once, as under node, and the log has no end record; a program
 * that listens decides, and if it exits, 'exit' reports the end.
 */
import { EventEmitter } from 'node:events';
import type { EndInfo } from '../record/records';
import { describeThrown } from './thrown-value';

// Captured before the program runs: it may replace them, and the monitor runs after it has.
const listenerCount = EventEmitter.prototype.listenerCount;
const hasCaptureCallback = process.hasUncaughtExceptionCaptureCallback;
const apply = Reflect.apply;
const isInteger = Number.isInteger;
const { isArray } = Array;
const { getOwnPropertyDescriptor } = Reflect;
const { hasOwn } = Object;

export interface EndHooks {
  /**
   * Call once the script is loaded: the ES module loader adds its own 'exit'
   * listener then (it sets exit code 13 for an unsettled top-level await), and
   * the end record must see the code it leaves.
   */
  scriptLoaded(): void;
}

export function onTargetEnd(report: (end: EndInfo) => void): EndHooks {
  let reported = false;
  let error: EndInfo['error'];
  const once = (end: EndInfo) => {
    if (reported) return;
    reported = true;
    report({ ...end, ...(error ? { error } : {}) });
  };

  process.on('uncaughtExceptionMonitor', (thrown, origin) => {
    // A program that handles it survives it: only an exception that ends the process is the end's.
    if (isHandledByProgram()) return;
    error = { origin, ...describeThrown(thrown) };
  });
  const onExit = (code: number) => once({ exitCode: numericExitCode(process.exitCode) ?? code });
  process.on('exit', onExit);
  return {
    scriptLoaded() {
      moveExitListenerLast(onExit);
    },
  };
}

/**
 * Puts `listener` after the 'exit' listeners the script's loading added. Not with removeListener and on:
 * those emit 'removeListener' and 'newListener' (Node listens to both, for signals) through process.emit,
 * which the script may have replaced by now. Node keeps several listeners of an event in an array in
 * process._events; anything else (one listener: ours, already last) is left as it is.
 */
function moveExitListenerLast(listener: (code: number) => void): void {
  const events = dataValue(process, '_events');
  const listeners = events !== null && typeof events === 'object' ? dataValue(events, 'exit') : undefined;
  if (!isArray(listeners)) return;
  const all = listeners as unknown[];
  let index = -1;
  for (let i = 0; i < all.length; i++) if (all[i] === listener) index = i;
  if (index < 0) return;
  for (let i = index; i < all.length - 1; i++) all[i] = all[i + 1];
  all[all.length - 1] = listener;
}

function dataValue(object: object, key: string): unknown {
  const descriptor = getOwnPropertyDescriptor(object, key);
  return descriptor !== undefined && hasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/** Whether Node hands the exception to the program instead of ending the process. */
function isHandledByProgram(): boolean {
  return apply(listenerCount, process, ['uncaughtException']) > 0 || apply(hasCaptureCallback, process, []) === true;
}

/** The code a program left in process.exitCode, read without converting an object (that would run its code). */
function numericExitCode(code: unknown): number | undefined {
  const value = typeof code === 'number' ? code : typeof code === 'string' && code !== '' ? Number(code) : NaN;
  return isInteger(value) ? value : undefined;
}
