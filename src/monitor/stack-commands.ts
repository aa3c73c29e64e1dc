/**
 * main, mainwhoall, threads and thread N: the current thread's stack (with
 * arguments and locals for mainwhoall) captured and rendered exactly as
 * `tripod dump` does, and the choice of the thread later commands apply to;
 * requests: the requests the main thread has in flight.
 */
import { captureThread, withHeapRequests } from '../attach/dump';
import { renderInFlight } from '../report/render-requests';
import { SocketRequests } from '../requests/socket-requests';
import { withDeadline } from '../capture/cdp';
import { renderThread } from '../report/render-dump';
import { terminalSafe } from '../report/terminal-text';
import { CommandFailed, type MonitorSession, type Outcome } from './session';

export async function stackCommand(session: MonitorSession, withLocals: boolean): Promise<Outcome> {
  const thread = session.thread;
  const limits = { ...session.config.limits, locals: withLocals };
  const capture = await captureThread(thread, session.pid, { timeoutMs: session.config.timeoutMs, limits });
  if (!capture) throw new CommandFailed(`${withLocals ? 'mainwhoall' : 'main'}: thread ${thread.threadId} has exited; threads lists those left`);
  if (thread.isMain) session.target.mainBlocked = capture.state === 'blocked';
  return { text: terminalSafe(renderThread(capture)), stoppedMs: capture.stoppedMs };
}

export async function threadsCommand(session: MonitorSession): Promise<Outcome> {
  // A main thread that does not answer lists no workers, but the console still says what it knows.
  const known = await withDeadline(session.target.listed, session.config.timeoutMs);
  const note = known.answered && known.value ? [] : ['(workers unknown: the main thread has not listed them; it does not answer)'];
  const lines = session.target.threads.list().map((thread) => {
    const mark = thread.threadId === session.thread.threadId ? '*' : ' ';
    const url = thread.url ? `  ${thread.url}` : '';
    return `${mark} ${String(thread.threadId).padStart(3)}  ${thread.isMain ? 'main' : JSON.stringify(thread.name)}${url}`;
  });
  return { text: terminalSafe([...lines, ...note, '(* the thread commands apply to; thread N picks another)'].join('\n')) };
}

export async function threadCommand(session: MonitorSession, args: string): Promise<Outcome> {
  const wanted = args.trim();
  if (!/^\d+$/.test(wanted)) throw new CommandFailed(`thread: give a thread id, e.g. thread 1 (threads lists them; 0 is the main thread)`);
  await listed(session);
  const thread = session.target.threads.list().find((t) => t.threadId === Number(wanted));
  if (!thread) throw new CommandFailed(`thread: no thread ${wanted}; the threads are ${session.target.threads.list().map((t) => t.threadId).join(', ')}`);
  session.useThread(thread);
  return { text: `commands now apply to ${thread.isMain ? 'the main thread' : `thread ${thread.threadId} ${JSON.stringify(thread.name)}`}` };
}

/** The workers are known once the main thread answered NodeWorker.enable: a blocked one lists none. */
async function listed(session: MonitorSession): Promise<void> {
  const known = await session.answer(session.target.listed, 'threads');
  if (!known) throw new CommandFailed('threads: the main thread did not list its workers; only the main thread (0) is known');
}

/**
 * requests [--heap]: what the main thread has in flight. tripod's table where tripod runs the program (read by
 * the stack probe, as dump reads it); elsewhere the server requests on its open sockets (record --requests's
 * reader, kept for the session, so a request seen by an earlier `requests` keeps its age), or with --heap those
 * of dump --requests's heap walk.
 */
export async function requestsCommand(session: MonitorSession, args: string): Promise<Outcome> {
  const option = args.trim();
  if (option !== '' && option !== '--heap') throw new CommandFailed(`requests: unknown ${JSON.stringify(option)}; give nothing, or --heap to walk the heap as dump --requests does`);
  const thread = session.target.threads.mainThread();
  const capture = await captureThread(thread, session.pid, { timeoutMs: session.config.timeoutMs, limits: { ...session.config.limits, locals: false } });
  session.target.mainBlocked = capture?.state === 'blocked';
  if (!capture || capture.state === 'blocked') throw new CommandFailed('requests: the main thread did not answer (blocked in a native call); try again, or main to see where it is');
  if (capture.inFlight) return { text: terminalSafe(renderInFlight(capture.inFlight)), stoppedMs: capture.stoppedMs };
  // tripod's table lists nothing while nothing is in flight: a process without it is looked at otherwise.
  const started = performance.now();
  const reading = option === '--heap' ? withHeapRequests(capture, thread).then((found) => found?.inFlight) : session.socketRequests(() => new SocketRequests(thread.client)).read();
  const inFlight = await session.answer(reading, 'requests');
  const stoppedMs = capture.stoppedMs + performance.now() - started;
  return { text: terminalSafe(inFlight ? renderInFlight(inFlight) : `no requests in flight (none in tripod's table, nor ${option === '--heap' ? 'in its heap' : 'on its sockets'})`), stoppedMs };
}
