/**
 * tripod's side of the guardian (guardian.ts): started before SIGUSR1, detached
 * into its own session so that a signal to tripod's process group spares it, and
 * told each step over its stdin. tripod dying closes that pipe: that is how the
 * guardian learns it must close the inspector itself.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { builtFile } from '../package-layout';
import type { Writable } from 'node:stream';
import { UserError } from '../errors';
import { ATTACH_EXIT } from './exit-codes';
import { processId, type ProcessId } from './target-claims';

export interface Guardian {
  /** Its pid and start time, for the lock. */
  id: ProcessId;
  /** One line of the protocol; lost lines are harmless (the guardian then assumes the worst and closes). */
  tell(line: string): void;
  /** tripod closed the inspector: `reopenPossible` when the event loop may not have turned since the signal. */
  closed(reopenPossible: boolean): void;
  /** Ends the pipe without a verdict: the guardian closes the inspector itself. */
  handOver(): void;
}

const GUARDIAN_NICENESS = 10;

/**
 * The guardian's first stage: a shell that only collects tripod's lines, so a
 * Node process starts only when there is something to do. Most attaches end
 * "released" (or never signalled) and it exits having cost a millisecond;
 * otherwise it becomes the Node guardian (exec: the same pid and start time, so
 * the lock still names it), fed the lines it collected.
 */
const FIRST_STAGE = `lines=''; last=''
while IFS= read -r line; do lines="$lines$line
"; last=$line; done
[ -z "$lines" ] && exit 0
[ "$last" = released ] && exit 0
exec "$@" <<TRIPOD_LINES
$lines
TRIPOD_LINES`;

/** Throws a UserError, before anything is sent to the target, when the guardian cannot start. */
export function startGuardian(target: ProcessId, inspectorPort: number): Guardian {
  const guardian = [process.execPath, builtFile('attach/guardian.js'), String(target.pid), target.startTime, String(inspectorPort)];
  const child = spawn('/bin/sh', ['-c', FIRST_STAGE, 'tripod-guardian', ...guardian], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    // Only what locates tripod's runtime directory (where the lock and marker are).
    env: pick(process.env, ['XDG_RUNTIME_DIR', 'TMPDIR']),
  });
  // A guardian that failed to start is reported by its missing pid, below; the event must not crash tripod.
  child.on('error', () => {});
  child.unref();
  const id = child.pid === undefined ? undefined : processId(child.pid);
  if (!id) {
    throw new UserError(
      `tripod: could not start the guardian that closes the inspector of process ${target.pid} should tripod die, so tripod did not signal it; check that /bin/sh and ${process.execPath} can be run, then retry`,
      ATTACH_EXIT.inspectorUnavailable,
    );
  }
  // Should it become a Node process (~40 ms of CPU), that must not slow the target nor tripod.
  try {
    setPriority(child.pid!, GUARDIAN_NICENESS);
  } catch {
    // not allowed: it runs at our priority
  }
  const stdin = child.stdin as Writable & { unref?(): void };
  stdin.on('error', () => {});
  // The pipe must not keep tripod alive: it ends when tripod does, one way or the other.
  stdin.unref?.();
  let ended = false;
  const end = (line?: string) => {
    if (ended) return;
    ended = true;
    stdin.end(line === undefined ? undefined : `${line}\n`);
  };
  return {
    id,
    tell(line) {
      if (!ended) stdin.write(`${line}\n`);
    },
    closed(reopenPossible) {
      end(reopenPossible ? 'closed' : 'released');
    },
    handOver() {
      end();
    },
  };
}

function pick(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const name of names) if (env[name] !== undefined) picked[name] = env[name];
  return picked;
}
