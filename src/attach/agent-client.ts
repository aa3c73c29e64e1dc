/**
 * tripod's side of the agent: ask it for a session, then connect to the relay
 * socket it names. The agent answers from the target's event loop, so a main
 * thread that never returns to it (a busy loop, a long native call) cannot be
 * reached this way until it does.
 */
import { connect, type Socket } from 'node:net';
import { UserError } from '../errors';
import type { AgentReply, AgentRequest } from './agent-protocol';
import type { Transport } from '../capture/cdp-connection';
import { ATTACH_EXIT } from './exit-codes';
import { lineTransport } from './line-transport';

export interface AgentSession {
  transport: Transport;
  node: string;
  argv: string[];
}

export async function openAgentSession(pid: number, socketPath: string, waitMs: number): Promise<AgentSession> {
  const reply = await ask(socketPath, { op: 'open' }, waitMs).catch((error: Error) => {
    if (error.message === 'timeout') {
      throw new UserError(
        `tripod: the agent in process ${pid} did not answer within ${waitMs / 1000} s: its main thread has not come back to the event loop (busy or blocked); retry, or use a longer --timeout`,
        ATTACH_EXIT.inspectorUnavailable,
      );
    }
    throw new UserError(`tripod: cannot reach the agent of process ${pid} at ${socketPath} (${error.message})`, ATTACH_EXIT.inspectorUnavailable);
  });
  if (!reply.ok) {
    const why = reply.noInspector ? 'its Node build has no inspector' : reply.error;
    throw new UserError(`tripod: the agent in process ${pid} cannot open an inspector session: ${why}`, ATTACH_EXIT.inspectorUnavailable);
  }
  const socket = await connected(connect(reply.session), waitMs);
  return { transport: lineTransport(socket), node: reply.node, argv: reply.argv };
}

function ask(socketPath: string, request: AgentRequest, waitMs: number): Promise<AgentReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, waitMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(answer) as AgentReply);
      } catch {
        reject(new Error('the agent gave no answer'));
      }
    });
  });
}

function connected(socket: Socket, waitMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UserError('tripod: the agent\'s relay did not accept the connection in time', ATTACH_EXIT.inspectorUnavailable));
    }, waitMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new UserError(`tripod: cannot connect to the agent's relay (${error.message})`, ATTACH_EXIT.inspectorUnavailable));
    });
  });
}
