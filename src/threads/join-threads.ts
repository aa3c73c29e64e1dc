/**
 * A target's threads in one recording: each joins as the main thread reports
 * it, now and later, and leaves as it ends. `tripod record PID` joins them all;
 * the runner's --threads joins the workers (its main thread is captured
 * in-process).
 */
import type { Capturer } from '../capture/capturer';
import type { Recording } from '../recording/recording';
import type { JsThread, TargetThreads } from './target-threads';

export type CapturerOf = (thread: JsThread) => Capturer;

export function joinThreads(threads: TargetThreads, recording: Recording, capturerOf: CapturerOf, which: 'all' | 'workers'): void {
  const join = (thread: JsThread) => recording.join(thread, capturerOf(thread));
  const present = threads.list();
  (which === 'all' ? present : present.filter((thread) => !thread.isMain)).forEach(join);
  threads.watch(join, (thread) => void recording.leave(thread));
}
