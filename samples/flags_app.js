// A server-like program with live controls: run it, then from another terminal
//   tripod flags PID --ls
//   tripod flags PID --set debugCache=2 --set 'pino{module:"db"}=debug' --debug 'app:*'
//   tripod flags PID --clear
// It prints "ready PID", then one line a second saying what its flags and loggers let through.
let flag;
try {
  ({ flag } = require('tripod/flags'));
} catch {
  // Shipped without tripod: the same handles, never changed from outside.
  flag = (name, value) => ({ value, default: value, name, onChange() {} });
}
const pino = require('pino');
const createDebug = require('debug');

const debugCache = flag('debugCache', 0, 'log cache hits and misses (2: with keys)');
const mode = flag('mode', 'fast', { help: 'how hard to check', choices: ['fast', 'safe'] });
const retryVerbose = flag('retryVerbose', false);
mode.onChange((now, before) => process.stdout.write(`mode changed ${before} -> ${now}\n`));

const log = pino({ level: 'info' }, pino.destination({ dest: process.env.FLAGS_APP_LOG ?? '/dev/null', sync: true }));
const db = log.child({ module: 'db' });
db.level = 'warn';
const cacheTrace = createDebug('app:cache');

let tick = 0;
setInterval(() => {
  tick++;
  if (debugCache.value > 0) cacheTrace('tick %d', tick);
  db.debug({ tick }, 'query');
  process.stdout.write(`tick ${tick} debugCache=${debugCache.value} mode=${mode.value} retryVerbose=${retryVerbose.value} db=${db.level} root=${log.level} debug=${createDebug.enabled('app:cache')}\n`);
}, 1000);
// A shutdown that says goodbye through both loggers: its listener holds them, which is how
// tripod flags finds them without walking the heap.
process.on('SIGTERM', () => {
  db.warn('closing');
  log.info('bye');
  process.exit(0);
});
process.stdout.write(`ready ${process.pid}\n`);
