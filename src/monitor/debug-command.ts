/**
 * `debug`, as tdb's pdb: how to hand the process over to a real debugger, and
 * what that opens. tripod does not start one itself: a debugger stops the
 * program where it breaks, and its port is reachable by every local user.
 */
import type { Route } from '../attach/attachment';

export function debugText(pid: number, route: Route): string {
  return [
    `To debug process ${pid} with a real debugger (breakpoints stop the program; quit this console first${route === 'signal' ? ', so tripod closes the port it opened' : ''}):`,
    `  node inspect -p ${pid}      Node's command-line debugger: sends SIGUSR1, which opens the inspector on 127.0.0.1:9229`,
    `  kill -USR1 ${pid}, then chrome://inspect in Chrome (or edge://inspect): DevTools' sources, breakpoints, console and profiler`,
    'While that port is open any local user who can reach 127.0.0.1:9229 can run code in the program: when done, close it',
    `(in the debugger: exec process._debugEnd(), or here: exec process.getBuiltinModule('node:inspector').close()) or restart the program.`,
  ].join('\n');
}
