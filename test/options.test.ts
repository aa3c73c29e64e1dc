/**
 * Option parsing, in-process: every kind of value at its range's edges, flag over
 * variable, aliases, the refusals' exact words, where the script's arguments begin,
 * and the generated help (every row of the table in its command's help).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT_KEYS } from '../src/capture/redact';
import type { ReportConfig, RunConfig, ShowConfig } from '../src/config';
import { UserError } from '../src/errors';
import { parseDumpCommand, parseRecordCommand } from '../src/options/attach';
import { describe as describeOption, flagsOf, helpText, helpTopic } from '../src/options/help';
import { parseLogsCommand } from '../src/options/logs';
import { parseReportCommand } from '../src/options/report';
import { parseRunCommand, splitRunArgv } from '../src/options/run';
import { parseShowCommand } from '../src/options/show';
import { COMMANDS, OPTIONS, optionsOf } from '../src/options/table';
import { REPORT_FORMATS } from '../src/report/formats/format-names';

function run(argv: string[], env: Record<string, string> = {}): RunConfig {
  const command = parseRunCommand([...argv, 'app.js'], env);
  if (command.kind !== 'run') throw new Error(`not a run: ${command.kind}`);
  return command.config;
}

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('was not refused');
}

const report = (argv: string[]) => parseReportCommand(argv, {}) as ReportConfig;
const show = (argv: string[], env: Record<string, string> = {}, tty = false) => parseShowCommand(argv, env, tty) as ShowConfig;

describe('numbers', () => {
  it('takes seconds at the edges of their range, and 0 where it means something', () => {
    expect(run(['--interval', '0.01']).interval).toBe(0.01);
    expect(run(['--interval', '86400']).interval).toBe(86_400);
    expect(run(['--interval', '.5']).interval).toBe(0.5);
    expect(run(['--interval', '0', '--crash']).interval).toBe(0);
    expect(run(['--timeout', '0.001']).timeoutMs).toBe(1);
    expect(refusal(() => run(['--interval', '0.009']))).toBe('tripod: --interval="0.009" is not a number of seconds from 0.01 to 86400, or 0 (no periodic samples); use e.g. 5');
    expect(refusal(() => run(['--interval', '86400.5']))).toMatch(/^tripod: --interval="86400.5" is not a number of seconds/);
    expect(refusal(() => run(['--timeout', '3601']))).toBe('tripod: --timeout="3601" is not a number of seconds from 0.001 to 3600; use e.g. 1');
  });

  it('takes plain decimals only', () => {
    for (const bad of ['0x10', '1e-9', 'Infinity', '5s', '', ' ', '-1', '1.2.3']) {
      expect(refusal(() => run(['--interval', bad]))).toMatch(/is not a number of seconds from 0\.01 to 86400/);
    }
    expect(run(['--interval', ' 2 ']).interval).toBe(2);
  });

  it('takes a negative number as a value, so its range check names it', () => {
    expect(refusal(() => run(['--interval', '-1']))).toBe('tripod: --interval="-1" is not a number of seconds from 0.01 to 86400, or 0 (no periodic samples); use e.g. 5');
    expect(refusal(() => run(['--depth', '-.5']))).toMatch(/^tripod: --depth="-.5" is not a whole number/);
    expect(refusal(() => run(['--interval', '--quiet']))).toBe(
      'tripod: --interval needs a value, and the next word "--quiet" reads as an option; give the value, or write --interval=--quiet if that is it',
    );
  });

  it('takes whole numbers, milliseconds and rates at their edges', () => {
    expect(run(['--depth', '0']).limits.depth).toBe(0);
    expect(run(['--depth', '10']).limits.depth).toBe(10);
    expect(refusal(() => run(['--depth', '11']))).toBe('tripod: --depth="11" is not a whole number from 0 to 10; the default is 2');
    expect(refusal(() => run(['--max-string', '2.5']))).toBe('tripod: --max-string="2.5" is not a whole number from 1 to 1000000; the default is 200');
    expect(run(['--watchdog', '10']).watchdog).toEqual({ thresholdMs: 10, repeatMs: 0 });
    expect(run(['--watchdog', '3600000', '--watchdog-repeat', '10']).watchdog).toEqual({ thresholdMs: 3_600_000, repeatMs: 10 });
    expect(refusal(() => run(['--watchdog', '9']))).toBe('tripod: --watchdog="9" is not a whole number of milliseconds from 10 to 3600000; use e.g. 200');
    expect(run(['--profile', '--rate', '10']).profile).toEqual({ rateHz: 10 });
    expect(run(['--profile']).profile).toEqual({ rateHz: 100 });
    expect(refusal(() => run(['--profile', '--rate', '1001']))).toBe('tripod: --rate="1001" is not a whole number of samples per second from 10 to 1000; the default is 100');
    expect(report(['--limit', '100000']).limit).toBe(100_000);
    expect(refusal(() => report(['--limit', '0']))).toBe('tripod: --limit="0" is not a whole number of rows from 1 to 100000; the default is 25');
  });

  it('takes a percentage as a fraction, and pixels and days as decimals', () => {
    expect(run([]).localsBudget).toBe(0.01);
    expect(run(['--locals-budget', '100']).localsBudget).toBe(1);
    expect(run(['--locals-budget', '0.01']).localsBudget).toBeCloseTo(0.0001);
    expect(refusal(() => run(['--locals-budget', '0']))).toBe('tripod: --locals-budget="0" is not a percentage from 0.01 to 100; use e.g. 1');
    // Absent: the flame graph picks it from the profile's size.
    expect(report(['-o', 'f.svg']).minWidth).toBeUndefined();
    expect(report(['-f', 'svg', '--min-width', '0']).minWidth).toBe(0);
    expect(report(['-f', 'svg', '--min-width', '1000']).minWidth).toBe(1000);
    expect(refusal(() => report(['-f', 'svg', '--min-width', '1000.5']))).toBe('tripod: --min-width="1000.5" is not a number of pixels from 0 to 1000; use e.g. 1');
    expect(refusal(() => report(['--min-width', '1']))).toBe(
      'tripod report: --min-width sets the narrowest frame of the svg flame graph, and this report is table; drop it or use --format svg',
    );
    expect(parseLogsCommand(['--clean', '0'], {})).toEqual({ cleanDays: 0 });
    expect(parseLogsCommand(['--clean', '36500'], {})).toEqual({ cleanDays: 36_500 });
    expect(parseLogsCommand(['--clean', '1.5'], {})).toEqual({ cleanDays: 1.5 });
    expect(parseLogsCommand([], {})).toEqual({});
    expect(refusal(() => parseLogsCommand(['--clean', '36501'], {}))).toBe('tripod: --clean="36501" is not a number of days from 0 to 36500; use e.g. 30');
    expect(refusal(() => parseLogsCommand(['old'], {}))).toMatch(/^tripod: Unexpected argument 'old'.*; see tripod logs --help$/);
  });
});

describe('flags and variables', () => {
  it('takes a flag over its variable, and an empty variable as unset', () => {
    expect(run(['--interval', '2'], { TRIPOD_INTERVAL: '3' }).interval).toBe(2);
    expect(run([], { TRIPOD_INTERVAL: '3' }).interval).toBe(3);
    expect(run([], { TRIPOD_INTERVAL: '' }).interval).toBe(5);
    expect(run(['--log', 'a.log'], { TRIPOD_LOG: 'b.log' }).logPath).toBe('a.log');
    expect(run([], { TRIPOD_LOG: 'b.log' }).logPath).toBe('b.log');
    expect(run([], { TRIPOD_LOG: '' }).logPath).toBeUndefined();
    expect(refusal(() => run([], { TRIPOD_MAXEL: '0' }))).toBe('tripod: TRIPOD_MAXEL="0" is not a whole number from 1 to 10000; the default is 20');
    expect(refusal(() => run(['--maxel', '0']))).toBe('tripod: --max-elements="0" is not a whole number from 1 to 10000; the default is 20');
  });

  it('reads switches: a flag turns the default over, a variable takes 1/0 and its spellings', () => {
    expect(run([]).limits.locals).toBe(true);
    expect(run(['--no-locals']).limits.locals).toBe(false);
    expect(run([], { TRIPOD_LOCALS: '0' }).limits.locals).toBe(false);
    expect(run([], { TRIPOD_QUIET: 'yes' }).quiet).toBe(true);
    expect(run(['-q']).quiet).toBe(true);
    expect(run([], { TRIPOD_QUIET: 'off' }).quiet).toBe(false);
    expect(refusal(() => run([], { TRIPOD_QUIET: 'loud' }))).toBe('tripod: TRIPOD_QUIET="loud" is not a switch; use 1 or 0');
    const dump = parseDumpCommand(['--locals', '42'], {});
    expect(dump !== 'help' && dump.limits.locals).toBe(true);
    const plain = parseDumpCommand(['42'], {});
    expect(plain !== 'help' && plain.limits.locals).toBe(false);
  });

  it('takes aliases and short forms', () => {
    expect(run(['--maxel', '7']).limits.maxElements).toBe(7);
    const record = parseRecordCommand(['-o', 'x.log', '-q', '42'], {});
    expect(record).toMatchObject({ pid: 42, logPath: 'x.log', quiet: true, interval: 1 });
    expect(report(['-f', 'pprof']).format).toBe('pprof');
  });

  it('reads the crash, watchdog and profile groups together', () => {
    expect(run(['--on-rejection']).crash).toEqual({ rejections: true });
    expect(run([], { TRIPOD_CRASH: '1' }).crash).toEqual({ rejections: false });
    expect(run([]).crash).toBeUndefined();
    expect(refusal(() => run(['--watchdog-repeat', '100']))).toBe('tripod: --watchdog-repeat needs --watchdog MS (TRIPOD_WATCHDOG_MS) to say what a stall is');
    expect(refusal(() => run(['--rate', '50']))).toBe('tripod: --rate HZ sets the rate of --profile; add --profile (TRIPOD_PROFILE=1)');
    // TRIPOD_RATE alone is only the rate for when profiling is on: not judged without it.
    expect(run([], { TRIPOD_RATE: 'fast' }).profile).toBeUndefined();
    expect(refusal(() => run(['--interval', '0']))).toMatch(/^tripod: an interval of 0 turns periodic sampling off/);
  });

  it('reads the redaction list', () => {
    expect(run([]).limits.redactKeys).toEqual(DEFAULT_REDACT_KEYS);
    expect(run(['--redact', 'a,b']).limits.redactKeys).toEqual(['a', 'b']);
    expect(run([], { TRIPOD_REDACT: '+pin' }).limits.redactKeys).toEqual([...DEFAULT_REDACT_KEYS, 'pin']);
    expect(refusal(() => run([], { TRIPOD_REDACT: '' }))).toMatch(/^tripod: TRIPOD_REDACT="" names no key; give names/);
    expect(refusal(() => run(['--redact', 'a,,b']))).toMatch(/^tripod: --redact="a,,b" has an empty name; give names/);
  });

  it('does not judge values when --help is asked for', () => {
    expect(parseRunCommand(['--help'], { TRIPOD_INTERVAL: 'soon' })).toEqual({ kind: 'help' });
    expect(parseRunCommand(['-v'], {})).toEqual({ kind: 'version' });
    expect(parseRunCommand(['--agent-path'], {})).toEqual({ kind: 'agent-path' });
    expect(parseRecordCommand(['-h'], { TRIPOD_DURATION: 'soon' })).toBe('help');
  });

  it('names an unknown option and the help to read', () => {
    expect(refusal(() => run(['--frobnicate']))).toMatch(/^tripod: Unknown option '--frobnicate'.*; see tripod --help$/);
    expect(refusal(() => report(['--frobnicate']))).toMatch(/^tripod: Unknown option '--frobnicate'.*; see tripod report --help$/);
  });
});

describe('the script and its arguments', () => {
  it('ends tripod\'s options at the script, or at --', () => {
    expect(splitRunArgv(['--interval', '2', 'app.js', '--interval', '3'])).toEqual({ own: ['--interval', '2'], script: 'app.js', scriptArgs: ['--interval', '3'] });
    expect(splitRunArgv(['-q', '--', '--odd.js', 'a'])).toEqual({ own: ['-q'], script: '--odd.js', scriptArgs: ['a'] });
    expect(splitRunArgv(['--interval=2', 'app.js'])).toEqual({ own: ['--interval=2'], script: 'app.js', scriptArgs: [] });
    expect(splitRunArgv(['-'])).toEqual({ own: [], script: '-', scriptArgs: [] });
    expect(refusal(() => parseRunCommand(['-q'], {}))).toBe('tripod: no script given; usage: tripod [options] script.js [args], or a Node program by name (tripod tsc -p .) (tripod --help)');
  });

  it('takes `-- node app.js` as `app.js`', () => {
    expect(splitRunArgv(['-q', '--', 'node', 'app.js', 'x'])).toEqual({ own: ['-q'], script: 'app.js', scriptArgs: ['x'] });
    expect(parseRunCommand(['--', 'node', 'app.js'], {})).toMatchObject({ kind: 'run', config: { script: 'app.js', scriptArgs: [] } });
    expect(refusal(() => parseRunCommand(['--', 'node', '--expose-gc', 'app.js'], {}))).toBe(
      "tripod: --expose-gc is an option of node's, not tripod's; pass it as NODE_OPTIONS='--expose-gc' tripod app.js",
    );
    expect(refusal(() => parseRunCommand(['--', 'node', '-e', '1'], {}))).toMatch(/^tripod: -e is an option of node's that tripod cannot pass on;/);
  });

  it("refuses node's own flags in one line that says how to pass them", () => {
    expect(refusal(() => parseRunCommand(['--max-old-space-size=4096', 'app.js'], {}))).toBe(
      "tripod: --max-old-space-size=4096 is an option of node's, not tripod's; pass it as NODE_OPTIONS='--max-old-space-size=4096' tripod app.js",
    );
    expect(refusal(() => parseRunCommand(['-q', '--stack-trace-limit=50', 'srv/main.js', 'x'], {}))).toBe(
      "tripod: --stack-trace-limit=50 is an option of node's, not tripod's; pass it as NODE_OPTIONS='--stack-trace-limit=50' tripod srv/main.js",
    );
    // A dashed value of tripod's own option is that option's to refuse.
    expect(refusal(() => parseRunCommand(['--redact', '-r', 'app.js'], {}))).toMatch(/^tripod: --redact needs a value, and the next word "-r" reads as an option/);
    // Not one of node's either: the usual unknown-option line.
    expect(refusal(() => parseRunCommand(['--frobnicate=1', 'app.js'], {}))).toMatch(/^tripod: Unknown option '--frobnicate'/);
  });
});

describe('show and report', () => {
  it('share the filters, with the command in their refusals', () => {
    for (const parse of [report, (argv: string[]) => show(argv)]) {
      const config = parse(['--since', '30s', '--until', '2026-11-23T12:07:00', '--state', 'idle, blocked', '--grep', 'hot.*Loop']);
      expect(config.since).toEqual({ offsetMs: 30_000 });
      expect(config.until).toEqual({ epochMs: Date.parse('2026-11-23T12:07:00') });
      expect(config.states).toEqual(['idle', 'blocked']);
      expect(config.grep).toEqual(/hot.*Loop/);
      expect(parse(['--since', '1795436741069']).since).toEqual({ epochMs: 1_795_436_741_069 });
      expect(parse(['--since', '1.5h']).since).toEqual({ offsetMs: 5_400_000 });
    }
    expect(refusal(() => show(['--since', 'soon']))).toMatch(/^tripod show: --since="soon" is not a time; use an offset/);
    expect(refusal(() => report(['--state', 'running,asleep']))).toBe('tripod report: --state="asleep" is not a state; use running, idle or blocked (or a comma list)');
    expect(refusal(() => show(['--grep', '(']))).toMatch(/^tripod show: --grep="\(" is not a regular expression \(.*\); escape special characters$/);
  });

  it('takes show\'s events and --last', () => {
    expect(show(['--event', 'stall,stall-end']).events).toEqual(['stall', 'stall-end']);
    expect(show([]).events).toBeUndefined();
    expect(refusal(() => show(['--event', 'stalls']))).toBe(
      'tripod show: --event="stalls" is not a record event; use start, sample, stall, stall-end, crash, profile, end, dump, control, slow or slow-end (or a comma list)',
    );
    expect(show(['--last'])).toMatchObject({ last: true, logPath: undefined });
    expect(show(['a.log'])).toMatchObject({ last: false, logPath: 'a.log' });
    expect(refusal(() => show(['--last', 'a.log']))).toBe('tripod show: --last shows the newest tripod log in $TMPDIR, and "a.log" names a log too; give one of them');
  });

  it('chooses colour: flags, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    expect(show([], {}, true).color).toBe(true);
    expect(show([], {}, false).color).toBe(false);
    expect(show([], { NO_COLOR: '1' }, true).color).toBe(false);
    expect(show([], { FORCE_COLOR: '1' }, false).color).toBe(true);
    expect(show([], { FORCE_COLOR: '' }, false).color).toBe(true);
    expect(show([], { FORCE_COLOR: '3', NO_COLOR: '1' }, false).color).toBe(true);
    expect(show([], { FORCE_COLOR: '0' }, true).color).toBe(false);
    expect(show([], { FORCE_COLOR: 'false' }, true).color).toBe(false);
    expect(show(['--no-color'], { FORCE_COLOR: '1' }, true).color).toBe(false);
    expect(show(['--color'], { NO_COLOR: '1' }, false).color).toBe(true);
  });

  it('takes the format from --format, else from the output file\'s extension', () => {
    expect(report([]).format).toBe('table');
    expect(report(['-o', 'a.SVG']).format).toBe('svg');
    expect(report(['-o', 'a.pb.gz']).format).toBe('pprof');
    expect(report(['-o', 'a.speedscope.json']).format).toBe('speedscope');
    expect(report(['-o', 'a.folded']).format).toBe('collapsed');
    expect(report(['-o', 'a.txt']).format).toBe('table');
    expect(report(['-f', 'collapsed', '-o', 'a.svg']).format).toBe('collapsed');
    expect(refusal(() => report(['--format', 'png']))).toBe(`tripod report: --format="png" is not a format; use one of ${REPORT_FORMATS.join(', ')}`);
    expect(refusal(() => report(['a.log', 'b.log']))).toBe('tripod report: one log at a time, got 2; run it once per file');
  });
});

describe('help', () => {
  it('lists every option of the table in the help of each command that takes it, with its range, variable and default', () => {
    for (const command of COMMANDS) {
      const help = helpText(command);
      for (const option of optionsOf(command)) {
        const line = describeOption(option);
        expect(help.replace(/\s+/g, ' '), `${command} --${option.flag}`).toContain(`${flagsOf(option)} ${line}`.replace(/\s+/g, ' '));
        if (option.range) expect(line).toContain(`${option.range.min}-${option.range.max}`);
        if (option.env) expect(line).toContain(option.env);
        if (typeof option.default === 'number') expect(line).toContain(`default ${option.defaultText ?? option.default}`);
      }
    }
  });

  it('gives every row a command, and no command one flag twice', () => {
    for (const row of OPTIONS) expect(row.commands.length, row.flag).toBeGreaterThan(0);
    for (const command of COMMANDS) {
      const names = optionsOf(command).flatMap((o) => [o.flag, o.alias, o.short && `-${o.short}`].filter(Boolean));
      expect(new Set(names).size, command).toBe(names.length);
    }
  });

  it('keeps each line within 100 columns', () => {
    for (const command of COMMANDS) for (const line of helpText(command).split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('answers tripod help [COMMAND]', () => {
    expect(helpTopic(undefined)).toBe(helpText('run'));
    expect(helpTopic('show')).toBe(helpText('show'));
    expect(refusal(() => helpTopic('shwo'))).toBe('tripod help: there is no command "shwo"; the commands are show, dump, record, report, logs, flags, monitor (tripod help COMMAND)');
  });
});
