/**
 * Every option of every tripod command, once: its flag (and short form or alias),
 * environment variable, kind, range, default, help text and the commands that take
 * it. Parsing (parse.ts), `--help` (help.ts) and the test that holds README's
 * option tables to it all read this table; a row with `per` differs in some
 * command (record samples every second by default, the runner every five).
 */
import { REPORT_FORMATS, REPORT_GROUPINGS } from '../report/formats/format-names';
import { RECORD_EVENTS } from '../record/records';
import { SAMPLE_STATES } from '../record/sample';

export const COMMANDS = ['run', 'show', 'dump', 'record', 'report', 'logs', 'flags', 'monitor'] as const;
export type Command = (typeof COMMANDS)[number];

/**
 * How a value is read. seconds, percent and decimal are plain decimals; ms and whole
 * are whole numbers; switch is a flag without a value (its variable takes 1/0);
 * string is taken as given; choice is one of `choices`, choices a comma list of them;
 * time is a --since/--until bound; regex a regular expression; keys the redaction list.
 */
export type Kind = 'seconds' | 'percent' | 'decimal' | 'ms' | 'whole' | 'switch' | 'string' | 'choice' | 'choices' | 'time' | 'regex' | 'keys';

export interface Range {
  min: number;
  max: number;
  /** 0 is allowed too, below `min`, and means this. */
  zero?: string;
}

export interface OptionRow {
  /** The long flag without its dashes; also the name its value is read by. */
  flag: string;
  short?: string;
  /** A second long flag for the same option. */
  alias?: string;
  /** What the value is called in help: S, N, FILE… (none for a switch). */
  value?: string;
  env?: string;
  kind: Kind;
  range?: Range;
  /** In the option's own unit (a percentage as 1 for 1%); a switch's default is what it is without its flag. */
  default?: number | boolean;
  /** The default in words, where it is not a value: "a new temp file". */
  defaultText?: string;
  /** The example a refusal gives when there is no default to show. */
  example?: number;
  /** What a number counts, in refusals: "seconds", "rows". */
  unit?: string;
  /** What one of `choices` is called, in refusals: "format", "state". */
  noun?: string;
  choices?: readonly string[];
  /** Help text; `{range}` is replaced by the range ("0.01-86400"), else the range follows the text. */
  help: string;
  commands: readonly Command[];
  /** May be given more than once (--set a=1 --set b=2, -e CMD -e CMD); read with OptionValues.list. */
  multiple?: boolean;
  /** What differs in one command. */
  per?: Partial<Record<Command, Partial<Omit<OptionRow, 'per' | 'commands'>>>>;
}


const SAMPLING: Command[] = ['run', 'record'];
const CAPTURING: Command[] = ['run', 'dump', 'record'];
const FILTERING: Command[] = ['show', 'report'];
/** The bounds of what a capture reads: the monitor console reads values too, but has no --locals (mainwhoall is its locals). */
const BOUNDING: Command[] = [...CAPTURING, 'monitor'];
const EVERY: Command[] = [...COMMANDS];

export const OPTIONS: readonly OptionRow[] = [
  {
    flag: 'interval', value: 'S', env: 'TRIPOD_INTERVAL', kind: 'seconds', range: { min: 0.01, max: 86_400 }, default: 5,
    help: 'seconds between samples, {range}', commands: SAMPLING,
    per: {
      run: { range: { min: 0.01, max: 86_400, zero: 'no periodic samples' }, help: 'seconds between samples, {range}; 0 turns them off when --watchdog, --crash or --profile runs' },
      record: { default: 1 },
    },
  },
  {
    flag: 'timeout', value: 'S', env: 'TRIPOD_TIMEOUT', kind: 'seconds', range: { min: 0.001, max: 3600 }, default: 1,
    help: 'how long a sample waits for the main thread before calling it blocked, {range}', commands: [...BOUNDING, 'flags'],
    per: {
      dump: { help: 'how long a thread may take to answer before it is called blocked, {range}' },
      record: { help: 'how long a sample waits for a thread, {range}' },
      monitor: { help: 'how long a command waits for the thread before it ends with a one-line reason, {range}' },
      flags: { default: 2, help: 'how long the main thread may take to answer, {range}' },
    },
  },
  { flag: 'duration', value: 'S', env: 'TRIPOD_DURATION', kind: 'seconds', range: { min: 0, max: 604_800 }, default: 0, defaultText: 'until Ctrl-C', help: 'seconds to record, {range}; 0: until Ctrl-C or the process exits', commands: ['record'] },
  {
    flag: 'log', value: 'FILE', env: 'TRIPOD_LOG', kind: 'string', defaultText: 'a new temp file', help: 'append the log to FILE, made mode 0600 if new', commands: SAMPLING,
    per: { record: { short: 'o' } },
  },
  { flag: 'depth', value: 'N', env: 'TRIPOD_DEPTH', kind: 'whole', range: { min: 0, max: 10 }, default: 2, help: 'object nesting read under a variable, {range}', commands: BOUNDING },
  { flag: 'max-elements', alias: 'maxel', value: 'N', env: 'TRIPOD_MAXEL', kind: 'whole', range: { min: 1, max: 10_000 }, default: 20, help: 'properties, elements or entries kept per object, {range}', commands: BOUNDING },
  { flag: 'max-string', value: 'N', env: 'TRIPOD_MAX_STRING', kind: 'whole', range: { min: 1, max: 1_000_000 }, default: 200, help: 'characters kept per string, {range}', commands: BOUNDING },
  { flag: 'max-frames', value: 'N', env: 'TRIPOD_MAX_FRAMES', kind: 'whole', range: { min: 1, max: 1000 }, default: 50, help: 'frames kept per sample, {range}; a deeper stack is sampled without locals', commands: BOUNDING },
  {
    flag: 'locals', env: 'TRIPOD_LOCALS', kind: 'switch', default: false, help: 'also arguments and local variables, bounded and redacted', commands: CAPTURING,
    per: { run: { flag: 'no-locals', default: true, help: 'stacks only: no arguments or local variables' } },
  },
  {
    flag: 'locals-budget', value: 'PCT', env: 'TRIPOD_LOCALS_BUDGET', kind: 'percent', range: { min: 0.01, max: 100 }, default: 1,
    help: 'share of the time (in %, {range}) that reading locals may stop the program; a sample over it goes without locals', commands: SAMPLING,
  },
  { flag: 'redact', value: 'K1,K2', env: 'TRIPOD_REDACT', kind: 'keys', defaultText: 'password, secret, token, …', help: 'names whose values are never written; "+K1,K2" adds to the defaults', commands: BOUNDING },
  {
    flag: 'threads', env: 'TRIPOD_THREADS', kind: 'switch', default: false,
    help: 'also sample every worker_threads Worker, those started later too, on the same schedule; its samples name the thread', commands: ['run', 'record'],
    per: { record: { help: 'every worker_threads Worker is sampled anyway (those started later too); taken so the runner\'s command line works here' } },
  },
  {
    flag: 'children', env: 'TRIPOD_CHILDREN', kind: 'switch', default: false,
    help: 'follow every Node.js child process too, at any depth, into the same log', commands: ['run', 'dump', 'record'],
    per: {
      dump: { help: 'also dump every Node.js process below the target (found through /proc), each under its pid and parent; one that is not Node is listed and left alone' },
      record: { help: 'also record every Node.js process the target starts later, at any depth (found through /proc), in the same log under its own pid' },
    },
  },
  { flag: 'watchdog', value: 'MS', env: 'TRIPOD_WATCHDOG_MS', kind: 'ms', range: { min: 10, max: 3_600_000 }, example: 200, defaultText: 'off', help: 'log a stall when the event loop is away MS ms, captured while stuck, {range}', commands: ['run'] },
  { flag: 'watchdog-repeat', value: 'MS', env: 'TRIPOD_WATCHDOG_REPEAT_MS', kind: 'ms', range: { min: 10, max: 3_600_000 }, example: 200, defaultText: 'once', help: 'capture a long stall again every MS ms, {range}', commands: ['run'] },
  { flag: 'slow', value: 'MS', env: 'TRIPOD_SLOW_MS', kind: 'ms', range: { min: 1, max: 86_400_000 }, example: 2000, defaultText: 'off', help: 'log a request in flight MS ms as slow, with what it waits on and the stack then, {range}', commands: ['run'] },
  { flag: 'slow-repeat', value: 'MS', env: 'TRIPOD_SLOW_REPEAT_MS', kind: 'ms', range: { min: 10, max: 86_400_000 }, example: 2000, defaultText: 'once', help: 'log a slow request again every MS ms while it stays in flight, {range}', commands: ['run'] },
  { flag: 'keep-query', env: 'TRIPOD_KEEP_QUERY', kind: 'switch', default: false, help: "keep requests' query strings in the log (cut to ?… by default)", commands: ['run'] },
  {
    flag: 'requests', env: 'TRIPOD_REQUESTS', kind: 'switch', default: false, defaultText: 'on with Node 24',
    help: 'name the request whose code a sample caught running, and who made an outbound request (AsyncLocalStorage: promise hooks before Node 24)', commands: ['run', 'dump', 'record'],
    per: {
      dump: {
        defaultText: undefined,
        help: "where tripod did not start the process: also list its server requests in flight, found in its heap (best effort; V8's heap walk stops it, ~1 s at 200,000 objects)",
      },
      record: {
        defaultText: undefined,
        help: "where tripod did not start the process: also list its server (and outbound http) requests in flight in every sample, read from its open sockets (best effort; ages count from the sample that first saw each)",
      },
    },
  },
  {
    flag: 'async-stacks', env: 'TRIPOD_ASYNC_STACKS', kind: 'switch', default: false,
    help: 'name the chain of async functions each request in flight is suspended in (a promise hook on every await: see README for its cost)', commands: ['run'],
  },
  { flag: 'crash', env: 'TRIPOD_CRASH', kind: 'switch', default: false, help: 'log the stack and locals at the throw of an uncaught exception', commands: ['run'] },
  { flag: 'on-rejection', env: 'TRIPOD_ON_REJECTION', kind: 'switch', default: false, help: 'also at an unhandled promise rejection; implies --crash', commands: ['run'] },
  { flag: 'profile', env: 'TRIPOD_PROFILE', kind: 'switch', default: false, help: "also record stacks (no locals) at a high rate with V8's CPU profiler", commands: ['run'] },
  { flag: 'rate', value: 'HZ', env: 'TRIPOD_RATE', kind: 'whole', unit: 'samples per second', range: { min: 10, max: 1000 }, default: 100, help: 'stack samples per second with --profile, {range}', commands: ['run'] },
  { flag: 'monitor', env: 'TRIPOD_MONITOR', kind: 'switch', default: false, help: "listen on tripod's 0600 agent socket from the start, for tripod monitor/flags/dump PID", commands: ['run'] },
  { flag: 'agent-path', kind: 'switch', default: false, help: "print the path of tripod's preload agent (node --require \"$(tripod --agent-path)\" app.js)", commands: ['run'] },
  {
    flag: 'json', kind: 'switch', default: false, help: "one NDJSON record on stdout, the log's schema (tripod show reads it)", commands: ['dump', 'monitor'],
    per: { monitor: { help: 'one JSON line per command on stdout: {command, ok, result or error, wallMs, stoppedMs}' } },
  },
  { flag: 'execute', short: 'e', value: 'CMD', kind: 'string', multiple: true, help: 'run console command CMD, then the next -e, then quit (repeatable)', commands: ['monitor'] },
  { flag: 'read-only', env: 'TRIPOD_MONITOR_READONLY', kind: 'switch', default: false, help: 'refuse eval, exec, import, reload, set, level and clear: the commands that run code in the program or change it', commands: ['monitor'] },
  {
    flag: 'eval-timeout', value: 'S', env: 'TRIPOD_EVAL_TIMEOUT', kind: 'seconds', range: { min: 0.001, max: 3600 }, default: 5,
    help: 'how long an eval or exec may run in the program before it is stopped, {range}', commands: ['monitor'],
  },
  { flag: 'audit', value: 'FILE', env: 'TRIPOD_MONITOR_AUDIT', kind: 'string', help: 'append every command sent, with its time, to FILE (made mode 0600)', commands: ['monitor'] },
  { flag: 'since', value: 'T', kind: 'time', help: "only samples from T: an offset from the log's start (30s, 5m, 1h, 500ms), epoch milliseconds, or an ISO date (2026-11-23T12:07:00)", commands: FILTERING },
  { flag: 'until', value: 'T', kind: 'time', help: 'only samples before T, written as for --since', commands: FILTERING },
  { flag: 'state', value: 'S', kind: 'choices', noun: 'state', choices: SAMPLE_STATES, help: 'only samples in state S: running, idle or blocked (or a comma list)', commands: FILTERING },
  { flag: 'grep', value: 'REGEX', kind: 'regex', help: 'only stacks with a frame ("name path:line:col") that matches', commands: FILTERING },
  { flag: 'pid', value: 'PID', kind: 'whole', range: { min: 1, max: 4_194_304 }, example: 4312, help: 'only records of process PID (of a log that holds several: --children, record --children)', commands: FILTERING },
  { flag: 'thread', value: 'N', kind: 'whole', range: { min: 0, max: 2_147_483_647 }, example: 2, help: 'only records of thread N (its threadId; 0 is the main thread)', commands: FILTERING },
  { flag: 'event', value: 'E', kind: 'choices', noun: 'record event', choices: RECORD_EVENTS, help: `only records of event E: ${RECORD_EVENTS.join(', ')} (or a comma list)`, commands: ['show'] },
  { flag: 'last', kind: 'switch', default: false, help: 'the newest tripod log in $TMPDIR (instead of LOG)', commands: ['show'] },
  { flag: 'color', kind: 'switch', default: false, defaultText: 'on a terminal', help: 'colour the output (FORCE_COLOR too; NO_COLOR turns the terminal default off)', commands: ['show'] },
  { flag: 'no-color', kind: 'switch', default: false, help: 'no colour, even on a terminal', commands: ['show'] },
  { flag: 'format', short: 'f', value: 'F', kind: 'choice', noun: 'format', choices: REPORT_FORMATS, defaultText: 'table', help: `${REPORT_FORMATS.join(', ')}; guessed from -o's extension (.svg .cpuprofile .speedscope.json .pb.gz .folded) when absent`, commands: ['report'] },
  { flag: 'output', short: 'o', value: 'FILE', kind: 'string', help: 'write to FILE instead of standard output', commands: ['report'] },
  { flag: 'limit', value: 'N', kind: 'whole', unit: 'rows', range: { min: 1, max: 100_000 }, default: 25, help: 'rows of the table, {range}', commands: ['report'] },
  { flag: 'min-width', value: 'PX', kind: 'decimal', unit: 'pixels', range: { min: 0, max: 1000 }, example: 1, defaultText: '1, wider when the graph would hold over 20,000 frames', help: 'svg: frames narrower than PX pixels are merged into their caller, {range}', commands: ['report'] },
  { flag: 'by', value: 'KEY', kind: 'choice', noun: 'grouping', choices: REPORT_GROUPINGS, help: `${REPORT_GROUPINGS.join(', ')}: a table section, or a flame graph root frame, per process, per thread or per route`, commands: ['report'] },
  { flag: 'clean', value: 'DAYS', kind: 'decimal', unit: 'days', range: { min: 0, max: 36_500 }, example: 30, help: 'remove the logs older than DAYS days, {range}', commands: ['logs'] },
  {
    flag: 'flag', value: 'NAME=VALUE', env: 'TRIPOD_FLAGS', kind: 'string', multiple: true,
    help: 'set a tripod/flags flag as the program registers it (repeatable; TRIPOD_FLAGS="a=1,b=true")', commands: ['run'],
  },
  { flag: 'ls', kind: 'switch', default: false, help: 'list the flags, pino loggers and debug namespaces (a GLOB after the pid narrows the flags)', commands: ['flags'] },
  { flag: 'set', value: 'NAME=VALUE', kind: 'string', multiple: true, help: 'set a flag, pino=LEVEL, or pino{module:"db"}=LEVEL (repeatable: all or none)', commands: ['flags'] },
  { flag: 'clear', kind: 'switch', default: false, help: 'back to the default: the flags named after the pid, or alone everything tripod changed', commands: ['flags'] },
  { flag: 'deep', kind: 'switch', default: false, help: "find pino's loggers by walking the program's heap (all of them; stops it ~100 ms) instead of through its modules' scopes", commands: ['flags'] },
  {
    flag: 'quiet', short: 'q', env: 'TRIPOD_QUIET', kind: 'switch', default: false, help: 'no banner on stderr', commands: [...SAMPLING, 'dump', 'flags'],
    per: { record: { help: 'no banner, progress or timing line on stderr' }, dump: { help: 'no timing line on stderr' }, flags: { help: 'no timing line on stderr' } },
  },
  {
    flag: 'debug', env: 'TRIPOD_DEBUG', kind: 'switch', default: false, help: "stack traces on tripod's own errors, and all its debug lines (TRIPOD_DEBUG=capture,attach: those lines only)", commands: EVERY,
    per: {
      flags: {
        kind: 'string', value: 'PATTERNS', env: undefined,
        help: "turn debug namespaces on, added to those on; =PATTERNS replaces them, - turns all off (tripod's own traces: TRIPOD_DEBUG=1)",
      },
    },
  },
  { flag: 'help', short: 'h', kind: 'switch', default: false, help: 'this text', commands: EVERY },
  { flag: 'version', short: 'v', kind: 'switch', default: false, help: "tripod's version", commands: ['run'] },
];

/** A row as one command takes it: its `per` for that command applied. */
export type CommandOption = Omit<OptionRow, 'per'> & { key: string };

export function optionsOf(command: Command): CommandOption[] {
  return OPTIONS.filter((row) => row.commands.includes(command)).map(({ per, ...row }) => ({ ...row, ...per?.[command], key: row.flag }));
}
