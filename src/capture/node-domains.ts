/**
 * Node's own CDP domains, which the devtools-protocol package does not type:
 * NodeWorker reaches worker_threads, NodeRuntime says when the target exits.
 */

export interface WorkerInfo {
  workerId: string;
  type: string;
  /** "[worker <threadId>] <name>" */
  title: string;
  url: string;
}

export interface NodeCommands {
  'NodeWorker.enable': { waitForDebuggerOnStart: boolean };
  'NodeWorker.disable': Record<string, never>;
  'NodeWorker.detach': { sessionId: string };
  'NodeWorker.sendMessageToWorker': { sessionId: string; message: string };
  'NodeRuntime.notifyWhenWaitingForDisconnect': { enabled: boolean };
}

export interface NodeEvents {
  'NodeWorker.attachedToWorker': { sessionId: string; workerInfo: WorkerInfo; waitingForDebugger: boolean };
  'NodeWorker.detachedFromWorker': { sessionId: string };
  'NodeWorker.receivedMessageFromWorker': { sessionId: string; workerId: string; message: string };
  /** The target finished running and waits for sessions to go before it exits. */
  'NodeRuntime.waitingForDisconnect': Record<string, never>;
}
