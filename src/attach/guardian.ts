/**
 * The guardian: a small detached process a `tripod dump`/`record` starts before
 * it sends SIGUSR1, so that whatever happens to tripod (SIGKILL included), the
 * inspector the signal opens is closed again — from outside the target, so the
 * program's timers and functions play no part in it.
 *
 *   node guardian.js PID START_TIME INSPECTOR_PORT
 *
 * tripod tells it on stdin what it did: `signalled KEYS` (about to signal; the
 * target's TCP listeners before), `port N` (the inspector is there), `closed`
 * (tripod closed it, but the signal's second wake-up may still open it again:
 * watch), `released` (closed for good: nothing to do). If stdin ends otherwise,
 * tripod is gone: the guardian closes the inspector itself, waiting as long as
 * the target lives (a blocked main thread runs the close when it returns).
 *
 * Watching: SIGUSR1 wakes a Node main thread twice (an interrupt, and a libuv
 * async handle that runs only when the event loop next turns). If tripod closed
 * the inspector before the loop turned (a busy or blocked main thread), the
 * second wake-up opens it again later; the guardian polls /proc for that and
 * closes it, then exits. It also exits when the target does, or when another
 * tripod takes the target's lock (that one is then in charge).
 */
import { createInterface } from 'node:readline';
import { type TcpListener, tcpListeners } from './proc-sockets';
import { AttachLock, isRunning, lockHeldByOther, processId, type ProcessId, releaseLockOf, removeMarker, takeOverLock } from './target-claims';

/** How long the inspector may take to appear after the signal (as for tripod). */
const OPEN_WAIT_MS = 5000;
const WATCH_POLL_MS = 250;
const RETRY_MS = 500;
const CLOSE_ATTEMPTS = 5;
const CONNECT_TIMEOUT_MS = 3000;

type State = 'armed' | 'signalled' | 'closed' | 'released';

export function runGuardian(argv: string[]): void {
  const target: ProcessId = { pid: Number(argv[0]), startTime: argv[1] };
  const configuredPort = Number(argv[2]);
  const self = processId(process.pid)!;
  let state: State = 'armed';
  let before = new Set<string>();
  let port: number | undefined;
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [word, rest] = [line.split(' ', 1)[0], line.slice(line.indexOf(' ') + 1)];
    if (word === 'signalled') {
      state = 'signalled';
      before = new Set(JSON.parse(rest) as string[]);
    } else if (word === 'port') port = Number(rest);
    else if (word === 'closed' || word === 'released') state = word;
  });
  lines.on('close', () => {
    void afterTripod(target, self, configuredPort, state, before, port).finally(() => process.exit(0));
  });
}

async function afterTripod(target: ProcessId, self: ProcessId, configuredPort: number, state: State, before: Set<string>, port: number | undefined): Promise<void> {
  if (state === 'armed' || state === 'released') return;
  if (state === 'closed') return watch(target, self, configuredPort, new Set(tcpListeners(target.pid).map(key)));
  // tripod died between the signal and a clean close: the inspector is ours to close.
  takeOverLock(target, self);
  const listener = port !== undefined ? tcpListeners(target.pid).find((l) => l.port === port) : await newListener(target, configuredPort, before);
  if (listener) await closeAt(target, listener);
  releaseLockOf(target, self);
  // Whether the event loop turned since the signal is unknown here: a reopening stays possible.
  await watch(target, self, configuredPort, new Set(tcpListeners(target.pid).map(key)));
}

/** The port the signal opened: on the configured port, or with --inspect-port=0 the first new one. */
async function newListener(target: ProcessId, configuredPort: number, before: Set<string>): Promise<TcpListener | undefined> {
  const deadline = performance.now() + OPEN_WAIT_MS;
  while (isRunning(target) && performance.now() < deadline) {
    const fresh = tcpListeners(target.pid).find((l) => !before.has(key(l)) && (configuredPort === 0 || l.port === configuredPort));
    if (fresh) return fresh;
    await sleep(10);
  }
  return undefined;
}

/** Polls for the inspector opening again, closes it, and ends; or ends with the target, or when another tripod takes over. */
async function watch(target: ProcessId, self: ProcessId, configuredPort: number, known: Set<string>): Promise<void> {
  while (isRunning(target) && !lockHeldByOther(target, self)) {
    for (const listener of tcpListeners(target.pid)) {
      if (known.has(key(listener))) continue;
      known.add(key(listener));
      // The inspector opens again where it is configured; only with --inspect-port=0 can it be on any port, and
      // then a new port may be the program's own server: only an inspector answers /json/list with a debugger URL.
      if (configuredPort !== 0 && listener.port !== configuredPort) continue;
      const { describeEndpoint } = await import('./inspector-endpoint');
      const endpoint = await describeEndpoint(reachable(listener), true).catch(() => undefined);
      if (!endpoint) continue;
      // Taken only if free: a tripod that holds it opened this one itself, and is in charge.
      const lock = AttachLock.tryAcquire(target);
      if (!lock) return;
      await closeAt(target, listener);
      if (!tcpListeners(target.pid).some((l) => key(l) === key(listener))) removeMarker(target);
      lock.release();
      return;
    }
    await sleep(WATCH_POLL_MS);
  }
}

/**
 * Connects and runs Node's native close, retrying a few times while the port is
 * still there and the target alive (a port that never answers as an inspector
 * is the program's own: it is let be, and the watch closes a later inspector).
 */
async function closeAt(target: ProcessId, listener: TcpListener): Promise<void> {
  for (let attempt = 0; attempt < CLOSE_ATTEMPTS; attempt++) {
    if (!isRunning(target) || !tcpListeners(target.pid).some((l) => key(l) === key(listener))) return;
    if (await closeOnce(reachable(listener)).catch(() => false)) return;
    await sleep(RETRY_MS);
  }
}

/** The modules that connect are loaded only when there is something to close: most guardians just hear "released" and exit. */
async function closeOnce(listener: TcpListener): Promise<boolean> {
  const [{ CdpConnection }, { describeEndpoint }, { callNativeClose, findNativeClose }, { openWebSocket }] = await Promise.all([
    import('../capture/cdp-connection'),
    import('./inspector-endpoint'),
    import('./native-close'),
    import('./websocket-transport'),
  ]);
  const endpoint = await describeEndpoint(listener, true);
  const connection = new CdpConnection(await openWebSocket(endpoint.webSocketUrl, CONNECT_TIMEOUT_MS));
  const closed = new Promise<void>((resolve) => connection.onClose(() => resolve()));
  // No deadline: a blocked main thread answers when it returns, and the close must still run then.
  const close = await findNativeClose(connection).catch(() => undefined);
  if (!close) {
    connection.close();
    return true; // nothing tripod may call: the marker stays, and the next attach reports it
  }
  void callNativeClose(connection, close).catch(() => {});
  await closed;
  return true;
}

/** An inspector on a wildcard address is reached through loopback, to close it. */
function reachable(listener: TcpListener): TcpListener {
  if (listener.host === '0.0.0.0') return { ...listener, host: '127.0.0.1' };
  if (listener.host === '::') return { ...listener, host: '::1' };
  return listener;
}

function key(listener: TcpListener): string {
  return `${listener.host}:${listener.port}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) runGuardian(process.argv.slice(2));
