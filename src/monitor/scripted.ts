/**
 * Scripted use: the -e commands in order, or one command per line of standard
 * input when it is not a terminal. Results go to stdout (one JSON line each
 * with --json), failures and cost lines to stderr; the caller's exit code says
 * whether any command failed.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { jsonLine, peopleText } from './json-mode';
import type { MonitorIo } from './monitor';
import { runLine } from './run-line';
import type { MonitorSession } from './session';
import type { AuditLog } from './audit';

export async function runScripted(session: MonitorSession, commands: AsyncIterable<string> | Iterable<string>, io: MonitorIo, untilGone: <T>(work: Promise<T>) => Promise<T>, audit?: AuditLog): Promise<boolean> {
  let failed = false;
  let timing = true;
  const lines = Symbol.asyncIterator in commands ? commands[Symbol.asyncIterator]() : toAsync(commands as Iterable<string>);
  for (;;) {
    // The target's exit ends a console that waits for its next line too.
    const next = await untilGone(lines.next());
    if (next.done) break;
    const line = next.value.trim();
    if (!line || line.startsWith('#')) continue;
    const result = await untilGone(runLine(session, line, { colors: false }, audit));
    if (!result.ok) failed = true;
    if (result.timing !== undefined) timing = result.timing;
    if (session.config.json) io.output.write(jsonLine(result));
    else {
      const { text, cost } = peopleText(result, timing);
      (result.ok ? io.output : io.errors).write(text);
      io.errors.write(cost);
    }
    if (result.quit) break;
  }
  return failed;
}

/** The lines of standard input, and how to stop reading it (it would keep tripod running). */
export function stdinLines(input: Readable): { lines: AsyncIterable<string>; close(): void } {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  return { lines: rl, close: () => rl.close() };
}

async function* toAsync(lines: Iterable<string>): AsyncIterator<string> {
  yield* lines;
}
