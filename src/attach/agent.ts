/**
 * tripod's preload agent, for processes SIGUSR1 cannot open (--disable-sigusr1,
 * a taken inspector port):
 *
 *   node --require tripod/agent app.js      (or --import tripod/agent)
 *
 * Dormant: at load it only listens on a Unix socket (unref'd, so it never keeps
 * the program alive) — no thread, no timer, no inspector. When `tripod dump PID`
 * connects, it starts one worker that relays CDP between a second, single-use
 * socket and an in-process inspector session on the main thread. No TCP port is
 * ever opened. Nothing here may throw into the program: failures are one line on
 * stderr and the program runs on without the agent.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { builtFile } from '../package-layout';
import { isMainThread, Worker } from 'node:worker_threads';
import { installProbeHolder } from '../capture/probe-context';
import { AGENT_WORKER_NAME, type AgentReply, agentSocketPath, ensurePrivateDir, runtimeDir, sessionSocketName } from './agent-protocol';

/** A request is one short line; anything longer is not tripod. */
const MAX_REQUEST_BYTES = 1024;

/**
 * Captured at load, before the program runs: the agent answers later, on the
 * program's thread, and must not call what the program replaced by then
 * (JSON.stringify, a toJSON on Object.prototype or Array.prototype, Math.random).
 */
const quote: (text: string) => string = JSON.stringify;
const parseJson = JSON.parse;
const hasOwn = Object.hasOwn;
const random = Math.random;
const apply = Reflect.apply;
const { includes, slice, trim } = String.prototype;
const numberText = Number.prototype.toString;
/** Node's native decoder, all of the buffer: a stream's setEncoding would iterate an array with the program's Array iterator. */
const utf8Text = (Buffer.prototype as unknown as { utf8Slice: () => string }).utf8Slice;
/** Paths made at load too: Node's path.join calls Array.prototype.push. */
const RELAY_SCRIPT = builtFile('attach/agent-relay.js');
let sessionDir = '';

const LOADED = Symbol.for('tripod.agent');

if (isMainThread && !(process as unknown as Record<symbol, unknown>)[LOADED]) {
  (process as unknown as Record<symbol, unknown>)[LOADED] = true;
  try {
    // At load, before the program: dump's stack probe then never runs what the program replaces later.
    installProbeHolder();
    listen();
  } catch (error) {
    warn(error);
  }
}

function listen(): Server {
  const dir = runtimeDir();
  ensurePrivateDir(dir);
  sessionDir = dir;
  const socketPath = agentSocketPath(dir, process.pid);
  // The name holds our pid: a file already there is left by a dead process that had it.
  removeFile(socketPath);
  const server = createServer(serve);
  server.on('error', warn);
  server.listen(socketPath, () => chmodSync(socketPath, 0o600));
  server.unref();
  process.on('exit', () => removeFile(socketPath));
  return server;
}

function serve(socket: Socket): void {
  let request = '';
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    request += apply(utf8Text, chunk, []);
    if (request.length > MAX_REQUEST_BYTES) return void socket.destroy();
    if (!apply(includes, request, ['\n'])) return;
    socket.removeAllListeners('data');
    const op = parseOp(request);
    if (op !== 'open') return reply(socket, { ok: false, error: `unknown request ${quote(apply(slice, apply(trim, request, []), [0, 80]))}` });
    startRelay((answer) => reply(socket, answer));
  });
}

function parseOp(line: string): string | undefined {
  try {
    const request: unknown = parseJson(line);
    const op = typeof request === 'object' && request !== null && hasOwn(request, 'op') ? (request as { op: unknown }).op : undefined;
    return typeof op === 'string' ? op : undefined;
  } catch {
    return undefined;
  }
}

function startRelay(answer: (reply: AgentReply) => void): void {
  const sessionPath = `${sessionDir}/${sessionSocketName(process.pid, apply(slice, apply(numberText, random(), [36]), [2, 10]))}`;
  // No execArgv: the program's preloads (this agent, loaders) have no business in the relay. Its stdout and
  // stderr stay its own (it prints nothing): piping them to this thread's would run Node's stream code here.
  const worker = new Worker(RELAY_SCRIPT, { workerData: { sessionPath }, name: AGENT_WORKER_NAME, execArgv: [], stdout: true, stderr: true });
  let answered = false;
  const once = (reply: AgentReply) => {
    if (answered) return;
    answered = true;
    // A 'message' listener refs the worker's port: drop it, or the relay would keep the program alive.
    worker.removeAllListeners('message');
    worker.unref();
    answer(reply);
  };
  worker.on('message', (message: { listening?: boolean; error?: string; noInspector?: boolean }) => {
    if (message.listening) once({ ok: true, session: sessionPath, node: process.version, argv: process.argv });
    else once({ ok: false, error: message.error ?? 'the relay failed', noInspector: message.noInspector });
  });
  worker.on('error', (error) => once({ ok: false, error: error.message }));
  worker.on('exit', () => once({ ok: false, error: 'the relay exited before it listened' }));
}

function reply(socket: Socket, answer: AgentReply): void {
  socket.end(`${replyText(answer)}\n`);
}

/** The reply as JSON, written field by field: only strings go through JSON.stringify, which looks up no toJSON for them. */
function replyText(answer: AgentReply): string {
  if (!answer.ok) return `{"ok":false,"error":${quote(answer.error)}${answer.noInspector ? ',"noInspector":true' : ''}}`;
  let argv = '';
  for (let i = 0; i < answer.argv.length; i++) argv += `${i > 0 ? ',' : ''}${quote(answer.argv[i])}`;
  return `{"ok":true,"session":${quote(answer.session)},"node":${quote(answer.node)},"argv":[${argv}]}`;
}

function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // not there
  }
}

function warn(error: unknown): void {
  process.stderr.write(`tripod agent: not listening, tripod dump cannot reach this process: ${(error as Error).message}\n`);
}
