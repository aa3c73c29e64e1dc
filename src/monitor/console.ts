/**
 * The interactive console on a terminal (node:readline): line editing, history
 * kept in a 0600 file, tab completion, multi-line input for an unfinished
 * eval or exec, colours (NO_COLOR respected), and the cost line after each
 * command. Ctrl-C cancels a running eval or exec (the program goes on), or
 * clears the line at the prompt; Ctrl-D or quit leaves.
 */
import { createInterface } from 'node:readline';
import { Script } from 'node:vm';
import type { AuditLog } from './audit';
import { complete } from './completion';
import { appendHistory, HISTORY_SIZE, historyPath, loadHistory } from './history';
import { peopleText } from './json-mode';
import type { MonitorIo } from './monitor';
import { runLine, splitCommand } from './run-line';
import type { MonitorSession } from './session';

const PROMPT = 'tripod> ';
const MORE = '...     ';

/** Resolves true when every command succeeded. */
export function runConsole(session: MonitorSession, io: MonitorIo, untilGone: <T>(work: Promise<T>) => Promise<T>, audit?: AuditLog): Promise<boolean> {
  const colors = Boolean(io.output.isTTY) && !io.env.NO_COLOR;
  const history = historyPath(io.env);
  const rl = createInterface({
    input: io.input,
    output: io.output,
    terminal: true,
    prompt: PROMPT,
    history: loadHistory(history),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string, callback: (error: Error | null, result: [string[], string]) => void) => {
      complete(session, line).then((result) => callback(null, result), () => callback(null, [[], line]));
    },
  });
  let failed = false;
  let timing = true;
  let pending = '';
  let running: AbortController | undefined;
  const write = (text: string) => io.output.write(text);

  return untilGone(
    new Promise<boolean>((resolve, reject) => {
      rl.on('SIGINT', () => {
        if (running) {
          running.abort();
          return;
        }
        pending = '';
        // To the end of the line, then delete back to its start: readline's own keys, on every Node.
        rl.write(null, { ctrl: true, name: 'e' });
        rl.write(null, { ctrl: true, name: 'u' });
        write('^C\n');
        rl.setPrompt(PROMPT);
        rl.prompt();
      });
      rl.on('close', () => resolve(!failed));
      const queue: string[] = [];
      const next = (): void => {
        const line = queue.shift();
        if (line === undefined) return rl.prompt();
        appendHistory(history, line);
        // Input stays read meanwhile: Ctrl-C must reach the command; lines typed meanwhile wait their turn.
        running = new AbortController();
        runLine(session, line, { colors, cancel: running.signal }, audit)
          .then((result) => {
            running = undefined;
            if (!result.ok) failed = true;
            if (result.timing !== undefined) timing = result.timing;
            const { text, cost } = peopleText(result, timing);
            write(text + cost);
            if (result.quit) return rl.close();
            next();
          })
          .catch((error) => {
            running = undefined;
            reject(error);
          });
      };
      rl.on('line', (typed) => {
        const line = pending ? `${pending}\n${typed}` : typed;
        if (unfinished(line)) {
          pending = line;
          rl.setPrompt(MORE);
          return rl.prompt();
        }
        pending = '';
        rl.setPrompt(PROMPT);
        if (!line.trim()) return running ? undefined : rl.prompt();
        queue.push(line);
        if (!running) next();
      });
      rl.prompt();
    }),
  ).finally(() => rl.close());
}

/** An eval or exec whose code stops mid-way (an open brace, an unclosed string): more lines follow. */
function unfinished(line: string): boolean {
  const [name, code] = splitCommand(line.trim());
  if (name !== 'eval' && name !== 'exec') return false;
  try {
    new Script(code);
    return false;
  } catch (error) {
    return /Unexpected end of input|Unterminated template|missing \) after/.test((error as Error).message);
  }
}
