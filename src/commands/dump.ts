/** `tripod dump PID`: the command's front end (attach/dump.ts captures; the dump, or the tree with --children, goes to stdout). */
import type { DumpConfig } from '../config';
import { enableDebugLogFromEnv } from '../diagnostics/debug-log';
import { terminalSafe } from '../report/terminal-text';
import { tripodVersion } from '../version';
import { abortOnSignals, interruptedAsUserError, timing } from './attach-lifecycle';
import { printHelp } from './help';

type DumpTree = Awaited<ReturnType<typeof import('../attach/dump').dumpTree>>;

export async function execute(argv: string[]): Promise<void> {
  const { parseDumpCommand } = await import('../options/attach');
  const config = parseDumpCommand(argv, process.env);
  if (config === 'help') return printHelp('dump');
  enableDebugLogFromEnv(config.debug);
  const { dumpProcess, dumpTree } = await import('../attach/dump');
  const abort = abortOnSignals();
  const started = performance.now();
  const tree = config.children
    ? await dumpTree(config.pid, config, tripodVersion(), abort.signal).catch(interruptedAsUserError(config.pid))
    : { root: await dumpProcess(config.pid, config, tripodVersion(), abort.signal).catch(interruptedAsUserError(config.pid)), children: [] };
  await writeDumpTree(config, tree);
  // What the target's main thread was stopped (the workers' captures stop their own threads, children their own).
  const main = tree.root.threads.find((thread) => thread.threadId === 0);
  if (!config.quiet) await timing(started, main && main.stoppedMs > 0 ? main.stoppedMs : undefined);
}

/** The dump as text (with --children, the tree), or one dump record per process (a child that has none is said on stderr). */
async function writeDumpTree(config: DumpConfig, tree: DumpTree): Promise<void> {
  if (!config.json) return void process.stdout.write(`${(await import('../report/render-dump')).renderDumpTree(tree.root, tree.children)}\n`);
  const { SampleLog } = await import('../log/logger');
  new SampleLog(1, config.pid).dump(tree.root);
  for (const child of tree.children) {
    if ('dump' in child) new SampleLog(1, child.pid).dump(child.dump);
    else process.stderr.write(`tripod: process ${child.pid} (child of ${child.ppid}): ${terminalSafe(child.why)}\n`);
  }
}
