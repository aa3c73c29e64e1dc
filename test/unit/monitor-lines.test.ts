/**
 * The monitor console's pure parts: how a line splits into command and
 * arguments, how a result is written (--json and for people), and help.
 */
import { describe, expect, it } from 'vitest';
import { CONSOLE_COMMANDS, helpFor, unknownCommand } from '../../src/monitor/command-table';
import { jsonLine, peopleText } from '../../src/monitor/json-mode';
import { splitCommand } from '../../src/monitor/run-line';

describe('monitor lines', () => {
  it('splits a line at its first blank, keeping the rest as typed', () => {
    expect(splitCommand('eval  a +\n b')).toEqual(['eval', 'a +\n b']);
    expect(splitCommand('main')).toEqual(['main', '']);
    expect(splitCommand('')).toEqual(['', '']);
  });

  it('writes one JSON line per command: result or error, times rounded to microseconds', () => {
    const ok = JSON.parse(jsonLine({ command: 'eval 1', ok: true, result: '1', wallMs: 1.23456, stoppedMs: 0.0004, thread: 'main thread' }));
    expect(ok).toEqual({ command: 'eval 1', ok: true, result: '1', wallMs: 1.235, stoppedMs: 0 });
    const failed = JSON.parse(jsonLine({ command: 'who x', ok: false, error: 'who: no', wallMs: 2, thread: 'main thread' }));
    expect(failed).toEqual({ command: 'who x', ok: false, error: 'who: no', wallMs: 2 });
  });

  it('ends a command for people with its cost line, unless timing is off or the command is the console\'s own', () => {
    const result = { command: 'main', ok: true, result: 'stack', wallMs: 41, stoppedMs: 0.4, thread: 'thread 2' };
    expect(peopleText(result, true)).toEqual({ text: 'stack\n', cost: ' ** took 0.041 s, thread 2 stopped 0.4 ms\n' });
    expect(peopleText(result, false).cost).toBe('');
    expect(peopleText({ ...result, command: 'help' }, true).cost).toBe('');
  });

  it('lists every command in help, marks those --read-only refuses, and names close ones for a typo', () => {
    const help = helpFor('', true);
    for (const command of CONSOLE_COMMANDS) expect(help).toContain(command.usage);
    expect(help.match(/\[refused: --read-only\]/g)).toHaveLength(7);
    expect(helpFor('eval', false)).toBe('eval EXPRESSION\n  evaluate in the program (runs its code) and print the result as util.inspect does');
    expect(unknownCommand('whos')).toBe('tripod monitor: no command "whos"; did you mean who or whoall? help lists them');
  });
});
