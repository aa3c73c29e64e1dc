/**
 * --children in the program's worker threads. Each thread has Node's spawn bindings of its own, so the hook
 * follow-children.ts installs on the main thread does not see a Worker's child_process calls. The sampler
 * enables the NodeWorker domain with every new worker held before any of its code runs, and in each of the
 * program's, while it waits, runs follow-children.js and installs the same hook (its intrinsics and
 * process object are still Node's own then: none of the program's code has run in that thread), lets it
 * run and detaches. Only the hook stays; the worker's process.env is not touched. tripod's own workers are
 * let run untouched. Loaded only with --children.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Session } from 'node:inspector';
import { withDeadline } from '../capture/cdp';
import { CdpConnection } from '../capture/cdp-connection';
import type { NodeEvents } from '../capture/node-domains';
import { sessionTransport } from '../capture/session-transport';
import { debugLog } from '../diagnostics/debug-log';
import { isTripodWorker } from '../threads/own-workers';
import { parseTitle } from '../threads/target-threads';
import { workerTransport } from '../threads/worker-transport';
import type { FollowSettings } from './follow-children';
import { builtFile } from '../package-layout';

const debug = debugLog('sample');

const FOLLOW_MODULE = builtFile('run/follow-children.js');
/** The longest a held worker waits for one answer of tripod's before it is let run regardless. */
const ANSWER_MS = 2000;

export interface WorkerChildren {
  /** Settles once every worker started from now on is held (or that failed). */
  ready: Promise<void>;
  stop(): void;
}

export function followWorkerChildren(settings: FollowSettings): WorkerChildren {
  const session = new Session();
  session.connectToMainThread();
  const main = new CdpConnection(sessionTransport(session));
  const expression = installExpression(settings);
  main.onNode('NodeWorker.attachedToWorker', ({ sessionId, workerInfo, waitingForDebugger }: NodeEvents['NodeWorker.attachedToWorker']) => {
    const { threadId, name } = parseTitle(workerInfo.title);
    const worker = new CdpConnection(workerTransport(main, sessionId), main.outstanding);
    // A worker that was running before the domain was on has run the program's code: it is left as it is.
    const install = waitingForDebugger && !isTripodWorker(name) ? expression : undefined;
    void holdWhile(worker, install, waitingForDebugger, threadId).finally(() => worker.close());
  });
  const ready = main.node('NodeWorker.enable', { waitForDebuggerOnStart: true }).then(
    () => {},
    (error: unknown) => debug('NodeWorker.enable failed: %s', (error as Error).message),
  );
  return {
    ready,
    stop() {
      void main.node('NodeWorker.disable', {}).catch(() => {});
      main.close();
    },
  };
}

async function holdWhile(worker: CdpConnection, expression: string | undefined, waiting: boolean, threadId: number): Promise<void> {
  try {
    if (expression) {
      const answer = await withDeadline(worker.post('Runtime.evaluate', { expression, returnByValue: true, silent: true }), ANSWER_MS);
      const installed = answer.answered && answer.value.result.value === true;
      debug('worker thread %s: children %s', threadId, installed ? 'followed' : `not followed (${answer.answered ? JSON.stringify(answer.value.result.description ?? answer.value.result.value) : 'no answer'})`);
    }
  } catch (error) {
    debug('worker thread %s: children not followed: %s', threadId, (error as Error).message);
  } finally {
    // A held worker that is not let go would wait for good.
    if (waiting) await withDeadline(worker.post('Runtime.runIfWaitingForDebugger').catch(() => {}), ANSWER_MS);
  }
}

/**
 * Run in the held worker, where Node has not finished its start (its module loader cannot load a file yet):
 * follow-children.js's own text, given Node's built-in modules (process.getBuiltinModule, Node >= 20.16) as
 * its require, as a module of no module cache (the program's require.cache never lists it). True once the
 * hook is in; false where Node gives no way (the permission model, an older Node 20).
 */
function installExpression(settings: FollowSettings): string {
  const source = readFileSync(FOLLOW_MODULE, 'utf8');
  return `(() => {
    if (typeof process !== 'object' || typeof process.getBuiltinModule !== 'function') return false;
    const module = { exports: {} };
    (function (exports, require, module, __filename, __dirname) {
${source}
    }).call(module.exports, module.exports, (id) => process.getBuiltinModule(id), module, ${JSON.stringify(FOLLOW_MODULE)}, ${JSON.stringify(path.dirname(FOLLOW_MODULE))});
    return module.exports.followChildren(${JSON.stringify(settings)});
  })()`;
}
