/**
 * `tripod dump PID`: every JavaScript thread of a running process captured once,
 * all at the same time, through the shared Capturer (probe, then a pause for
 * locals when asked). The process goes on as before. With --children, then each
 * Node process below it (child-watch.ts), one attach at a time.
 */
import type { Capture } from '../capture/capturer';
import { withDeadline } from '../capture/cdp';
import { blockedAsItStands } from '../capture/unanswered';
import { dumpRecord } from '../log/header';
import type { DumpRecord, ThreadCapture } from '../record/records';
import type { CapturedSample } from '../record/sample';
import { type CaptureOptions, remoteCapturer, tagged, withoutUnaskedNote } from '../recording/capturers';
import { ConnectionClosed } from '../capture/cdp-connection';
import { type AttachedProcess, withAttached } from './session';
import { exitedError, isAlive } from './target-process';
import { UserError } from '../errors';
import { ATTACH_EXIT } from './exit-codes';
import { nodeChild, untilSettled } from './child-watch';
import { descendantsOf, type ProcessNode } from './process-tree';
import type { JsThread } from '../threads/target-threads';
import { heapServerRequests } from '../requests/heap-requests';

export type Dump = Omit<DumpRecord, 'event'>;

/** `requests`: look for a plain node process's server requests in flight in its heap (dear: V8 walks it). */
type DumpOptions = CaptureOptions & { requests?: boolean };

export function dumpProcess(pid: number, options: DumpOptions, version: string, abort?: AbortSignal): Promise<Dump> {
  return withAttached(pid, options.timeoutMs, (target) => dumpAttached(target, options, version), abort);
}

/** A process below the target, dumped, or why not (not Node, exited meanwhile, could not be reached). */
export type ChildDump = ProcessNode & ({ dump: Dump } | { why: string });

/**
 * dump --children: the target's dump (its failure is the command's), then each
 * process below it, parents first; a child's failure is said in its entry.
 */
export async function dumpTree(pid: number, options: DumpOptions, version: string, abort?: AbortSignal): Promise<{ root: Dump; children: ChildDump[] }> {
  const root = await dumpProcess(pid, options, version, abort);
  const children: ChildDump[] = [];
  for (const child of descendantsOf(pid)) {
    if (abort?.aborted) break;
    await untilSettled(child.pid);
    const found = nodeChild(child);
    if ('why' in found) {
      children.push({ ...child, why: found.why });
      continue;
    }
    try {
      const dump = await dumpProcess(child.pid, options, version, abort);
      children.push({ ...child, dump: { ...dump, ppid: child.ppid } });
    } catch (error) {
      if ((error as Error)?.name === 'Interrupted') throw error;
      const exited = error instanceof UserError && (error.exitCode === ATTACH_EXIT.targetExited || error.exitCode === ATTACH_EXIT.noSuchProcess);
      children.push({ ...child, why: exited ? 'it ended before it could be dumped' : String((error as Error)?.message ?? error).replace(/^tripod: /, '') });
    }
  }
  return { root, children };
}

async function dumpAttached(target: AttachedProcess, options: DumpOptions, version: string): Promise<Dump> {
  const { attachment, threads } = target;
  // The main thread lists the workers: capture it meanwhile, then them.
  const main = captureThread(threads.mainThread(), attachment.pid, options);
  const listed = await withDeadline(target.listed, options.timeoutMs);
  const workersKnown = listed.answered && listed.value;
  const workers = workersKnown ? threads.list().filter((thread) => !thread.isMain) : [];
  const captured = [(options.requests ? await withHeapRequests(await main, threads.mainThread()) : await main), ...(await Promise.all(workers.map((thread) => captureThread(thread, attachment.pid, options))))];
  if (!isAlive(attachment.pid)) throw exitedError(attachment.pid);
  // Gone but alive: exiting (withAttached waits a moment to tell), or its inspector was closed under us.
  if (attachment.gone) throw new ConnectionClosed('the target closed its inspector during the dump');
  if (captured[0]?.state === 'idle') attachment.noteIdle();
  const mainBlocked = captured[0]?.state === 'blocked';
  target.mainBlocked = mainBlocked;
  const header = {
    tripod: version,
    node: attachment.node,
    script: attachment.script,
    argv: attachment.argv,
    attached: { pid: attachment.pid, via: attachment.route },
    timeoutMs: options.timeoutMs,
    limits: options.limits,
  };
  const dumped = captured.filter((thread): thread is ThreadCapture => thread !== undefined).map((thread) => (mainBlocked ? unreachableIfBlocked(thread) : thread));
  return dumpRecord(header, dumped, Boolean(workersKnown));
}

/** One capture of one thread; undefined for a worker that exited meanwhile. */
export async function captureThread(thread: JsThread, pid: number, options: CaptureOptions): Promise<ThreadCapture | undefined> {
  const capturer = remoteCapturer(thread, pid, options);
  try {
    return tagged(thread, withoutUnaskedNote(settle(await capturer.capture()), options.limits));
  } catch (error) {
    if (error instanceof ConnectionClosed && !thread.isMain) return undefined;
    throw error;
  } finally {
    capturer.dispose();
  }
}

/**
 * A process tripod did not start has no request table: with --requests its server requests in flight are looked
 * for in its heap (requests/heap-requests.ts), once the main thread answered (a blocked one would not).
 */
export async function withHeapRequests(main: ThreadCapture | undefined, thread: JsThread): Promise<ThreadCapture | undefined> {
  if (!main || main.inFlight || main.state === 'blocked') return main;
  const inFlight = await heapServerRequests(thread.client);
  return inFlight && inFlight.serverTotal > 0 ? { ...main, inFlight } : main;
}

/** A dump does not wait past the deadline: a thread that has not answered is blocked as it stands. */
function settle(capture: Capture): CapturedSample {
  if (capture.kind === 'sample') return capture.sample;
  // Its answer may come after tripod has gone, or never: nobody waits for it.
  capture.late.catch(() => {});
  return blockedAsItStands(capture);
}

/** Worker messages pass through the main thread: while it is blocked, a silent worker is merely out of reach. */
function unreachableIfBlocked(thread: ThreadCapture): ThreadCapture {
  if (thread.threadId === 0 || thread.state !== 'blocked' || thread.frames.length > 0) return thread;
  return { ...thread, stack: '    (no answer: messages to workers pass through the main thread, which is blocked)' };
}
