export const RUN_HELP = `usage: tripod [options] script.js [script args]
       tripod show [LOG]          render a log (or grep's output on stdin) for people
       tripod dump PID            every JS thread's stack of a running process, now (tripod dump --help)
       tripod record PID          sample a running process into a log (tripod record --help)
       tripod report [LOG]        hottest functions, flame graphs and profile files from a log

Runs script.js in this process, exactly as \`node script.js\` would, while a worker
thread samples its stack and local variables into a log (pino NDJSON).

options (each also an environment variable):
  --interval S        seconds between samples, 0.01-86400; 0 turns them off when --watchdog, --crash or --profile runs (TRIPOD_INTERVAL, default 5)
  --timeout S         how long a sample waits for the main thread (TRIPOD_TIMEOUT, default 1)
  --log FILE          append to FILE instead of a new temp file (TRIPOD_LOG)
  --depth N           object nesting read under a variable, 0-10 (TRIPOD_DEPTH, default 2)
  --max-elements N    properties/elements kept per object, 1-10000 (TRIPOD_MAXEL, default 20; alias --maxel)
  --max-string N      characters kept per string, 1-1000000 (TRIPOD_MAX_STRING, default 200)
  --max-frames N      frames kept per sample; deeper stacks skip locals, 1-1000 (TRIPOD_MAX_FRAMES, default 50)
  --no-locals         stacks only (TRIPOD_LOCALS=0)
  --locals-budget PCT share of the time reading locals may stop the program, 0.01-100; samples over it go
                      without locals (TRIPOD_LOCALS_BUDGET, default 1)
  --watchdog MS       log a stall when the event loop is away MS ms, captured while stuck, 10-3600000 (TRIPOD_WATCHDOG_MS)
  --watchdog-repeat MS  capture a long stall again every MS ms (TRIPOD_WATCHDOG_REPEAT_MS; default once)
  --crash             log the stack and locals at the throw of an uncaught exception (TRIPOD_CRASH=1)
  --on-rejection      also at an unhandled promise rejection; implies --crash (TRIPOD_ON_REJECTION=1)
  --profile           also record stacks (no locals) at a high rate with V8's CPU profiler (TRIPOD_PROFILE=1)
  --rate HZ           stack samples per second with --profile, 10-1000 (TRIPOD_RATE, default 100)
  --redact K1,K2      names whose values are never written; "+K" adds to the defaults (TRIPOD_REDACT)
  -q, --quiet         no banner on stderr (TRIPOD_QUIET=1)
  --debug             stack traces on tripod's own errors (TRIPOD_DEBUG=1)
  -h, --help          this text
  -v, --version       tripod's version
  --agent-path        print the preload agent's file, for node --require "$(tripod --agent-path)" app.js
Options go before the script; everything after it is the script's (\`--\` also ends them).`;

export const SHOW_HELP = `usage: tripod show [--color|--no-color] [LOG]
Renders a tripod log for people: each sample's stack, then its full backtrace with
arguments and local variables. Reads LOG, or standard input when LOG is absent or -,
so \`grep handleRequest LOG | tripod show\` shows just the matching samples.`;

export const DUMP_HELP = `usage: tripod dump [options] PID
Prints the stack of every JavaScript thread of the running Node.js process PID —
the main thread and each worker_threads Worker — and lets it go on. Reached
through its open inspector, through SIGUSR1 (the inspector it opens is closed
again), or through tripod's agent (node --require tripod/agent). Only the
process's owner or root may dump it: the right to send it SIGUSR1.

options (each also an environment variable):
  --locals            also arguments and local variables, bounded and redacted (TRIPOD_LOCALS=1)
  --json              one NDJSON record on stdout, the log's schema (tripod show reads it)
  --timeout S         how long a thread may take to answer before it is called blocked (TRIPOD_TIMEOUT, default 1)
  --depth N, --max-elements N, --max-string N, --max-frames N, --redact K1,K2
                      bounds and redaction of --locals, as for tripod script.js (tripod --help)
  --debug             stack traces on tripod's own errors (TRIPOD_DEBUG=1)
  -h, --help          this text`;

export const RECORD_HELP = `usage: tripod record [options] PID
Samples every JavaScript thread of the running Node.js process PID into a log in
the format of \`tripod script.js\` (tripod show reads it), until --duration ends,
Ctrl-C, or the process exits; then lets it go on. Reached as tripod dump reaches it.

options (each also an environment variable):
  --duration S        seconds to record; 0 or absent: until Ctrl-C (TRIPOD_DURATION)
  --interval S        seconds between samples, 0.01-86400 (TRIPOD_INTERVAL, default 1)
  -o, --log FILE      append to FILE instead of a new temp file (TRIPOD_LOG)
  --locals            also arguments and local variables (TRIPOD_LOCALS=1)
  --locals-budget PCT share of the time reading locals may stop the process, 0.01-100 (TRIPOD_LOCALS_BUDGET, default 1)
  --timeout S         how long a sample waits for a thread (TRIPOD_TIMEOUT, default 1)
  --depth N, --max-elements N, --max-string N, --max-frames N, --redact K1,K2
                      bounds and redaction of --locals, as for tripod script.js (tripod --help)
  -q, --quiet         no banner or progress on stderr (TRIPOD_QUIET=1)
  --debug             stack traces on tripod's own errors (TRIPOD_DEBUG=1)
  -h, --help          this text`;

export const REPORT_HELP = `usage: tripod report [options] [LOG]
Folds the stacks of a log (profile records of --profile, periodic samples, stall
captures) and prints the hottest functions, or writes a file for a profile viewer.
Reads LOG, or standard input when LOG is absent or -.

options:
  -f, --format F      table (default), svg (flame graph), speedscope, cpuprofile, pprof, collapsed;
                      guessed from -o's extension (.svg .cpuprofile .speedscope.json .pb.gz .folded) when absent
  -o, --output FILE   write to FILE instead of standard output
  --since T, --until T  only samples from T / before T: an offset from the log's start (30s, 5m, 1h),
                      epoch milliseconds, or an ISO date (2026-11-23T12:07:00)
  --state S           only samples in state S: running, idle or blocked (or a comma list)
  --grep REGEX        only stacks with a frame ("name path:line:col") that matches
  --limit N           rows of the table, 1-100000 (default 25)
  --debug             stack traces on tripod's own errors
  -h, --help          this text`;
