/**
 * How a command's result is written: for people (its text, then the cost line
 * unless `timing off`), or with --json as one line per command:
 * {command, ok, result | error, wallMs, stoppedMs}.
 */
import { timingLine } from '../report/command-timing';
import type { LineResult } from './run-line';

export function jsonLine(result: LineResult): string {
  const { command, ok, wallMs, stoppedMs } = result;
  const outcome = ok ? { result: result.result ?? '' } : { error: result.error ?? '' };
  return `${JSON.stringify({ command, ok, ...outcome, wallMs: round(wallMs), ...(stoppedMs !== undefined ? { stoppedMs: round(stoppedMs) } : {}) })}\n`;
}

/** The text of a result for people, and its cost line (empty when there is none to show). */
export function peopleText(result: LineResult, timing: boolean): { text: string; cost: string } {
  const body = result.ok ? result.result ?? '' : result.error ?? '';
  const text = body ? `${body}\n` : '';
  const shown = timing && !result.quit && result.timing === undefined && !/^(help|timing)\b/.test(result.command);
  const cost = shown ? `${timingLine({ wallMs: result.wallMs, stoppedMs: result.stoppedMs, thread: result.thread })}\n` : '';
  return { text, cost };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
