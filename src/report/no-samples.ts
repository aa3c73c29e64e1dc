/**
 * Why a log holds no sample to report, said for that log: what its start
 * records asked for (periodic samples, a profile, a watchdog, crash capture, an
 * attach) decides which advice is right, so a log that sampled every 5 s and
 * ended first is not told to use --profile, and a dump is sent to tripod show.
 */

export interface LogFacts {
  /** Start records read (a run or a `tripod record`), and the settings of the last one. */
  starts: number;
  intervalS?: number;
  profileHz?: number;
  watchdogMs?: number;
  crash: boolean;
  attachedPid?: number;
  ends: number;
  dumps: number;
}

export function emptyLogFacts(): LogFacts {
  return { starts: 0, crash: false, ends: 0, dumps: 0 };
}

/** Notes what a record says about how the log was recorded; records were shape-checked by readRecords. */
export function noteLogFacts(facts: LogFacts, record: Record<string, unknown>): void {
  if (record.event === 'dump') facts.dumps++;
  if (record.event === 'end') facts.ends++;
  if (record.event !== 'start') return;
  const start = record as { interval: number; profile?: { rateHz: number }; watchdog?: { thresholdMs: number }; crash?: unknown; attached?: { pid: number } };
  facts.starts++;
  facts.intervalS = start.interval;
  facts.profileHz = start.profile?.rateHz;
  facts.watchdogMs = start.watchdog?.thresholdMs;
  facts.crash = Boolean(start.crash);
  facts.attachedPid = start.attached?.pid;
}

/** One line: what the log holds, and what to do that is right for it. */
export function noSamplesMessage(name: string, facts: LogFacts): string {
  const head = `tripod report: ${name} holds no sample`;
  if (facts.starts === 0) {
    if (facts.dumps > 0) return `${head}, only tripod dump output (one moment, not a recording); read it with tripod show, or record the process over time with tripod record PID`;
    return `${head}, stall or profile record (grep's output without them?); give the whole log, or grep for a function's name`;
  }
  const again = facts.attachedPid !== undefined ? `tripod record ${facts.attachedPid}` : 'the run';
  if (facts.profileHz !== undefined) {
    return `${head}: the profile at ${facts.profileHz} Hz wrote no record before the process ended (killed in its first second?); run ${again} again and let it run longer`;
  }
  if (facts.intervalS !== undefined && facts.intervalS > 0) {
    const ended = facts.ends > 0 ? 'ended before its first sample' : 'was stopped before its first sample';
    return `${head}: ${again} ${ended} (one every ${facts.intervalS} s); sample more often with a shorter --interval, e.g. --interval ${shorter(facts.intervalS)}, or add --profile for 100 stacks a second`;
  }
  const watched = [facts.watchdogMs !== undefined ? `no stall over ${facts.watchdogMs} ms` : '', facts.crash ? 'no uncaught exception' : ''].filter(Boolean).join(' and ');
  return `${head}: ${watched || 'nothing'} happened, and --interval 0 took no periodic samples; add --profile, or sample with --interval S${facts.watchdogMs !== undefined ? ', or lower --watchdog' : ''}`;
}

/** A tenth of the interval, at least tripod's shortest (0.01 s). */
function shorter(intervalS: number): string {
  return String(Math.max(0.01, Math.round(intervalS * 10) / 100));
}
