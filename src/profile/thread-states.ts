/**
 * Whether the main thread is on the CPU, read from /proc (Linux) by the worker
 * while the CPU profiler samples. V8 marks time in the event loop as "(idle)",
 * but a synchronous native call (execSync, sync fs on a slow file) shows only as
 * its JS caller: the thread asleep in the kernel at that moment is what makes
 * such a sample `blocked` rather than `running`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isAsleepStat } from '../capture/native-wait';

/**
 * Often enough to see a blocking call of a few dozen ms, and no more: each reading
 * wakes the worker, and at 100 readings a second that cost the await-heavy server
 * benchmark about 3% of its throughput (2 cores, busy with server and client).
 */
const MIN_PERIOD_MS = 50;

export class ThreadStates {
  private fd?: number;
  private timer?: NodeJS.Timeout;
  private readonly buffer = Buffer.alloc(1024);
  /** Readings in time order: monotonic µs (V8's clock) and whether the thread slept. */
  private times: number[] = [];
  private asleep: boolean[] = [];
  readonly periodMs: number;

  /** `taskId`: the thread's id in /proc (a worker's own; the main thread's is the pid). */
  constructor(
    private readonly pid: number,
    rateHz: number,
    private readonly taskId = pid,
  ) {
    this.periodMs = Math.max(MIN_PERIOD_MS, Math.floor(1000 / rateHz));
  }

  /** Starts reading; where /proc is missing, every sample that is not idle counts as running. */
  start(): void {
    try {
      this.fd = openSync(`/proc/${this.pid}/task/${this.taskId}/stat`, 'r');
    } catch {
      return;
    }
    this.timer = setInterval(() => this.read(), this.periodMs);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * For each of `micros` (ascending, V8's clock): whether the nearest reading within
   * two periods found the thread asleep. Readings before the last one used are dropped.
   */
  asleepAt(micros: Float64Array): Uint8Array {
    const result = new Uint8Array(micros.length);
    const tolerance = this.periodMs * 2000;
    let j = 0;
    for (let i = 0; i < micros.length; i++) {
      const t = micros[i];
      while (j + 1 < this.times.length && Math.abs(this.times[j + 1] - t) <= Math.abs(this.times[j] - t)) j++;
      if (j < this.times.length && Math.abs(this.times[j] - t) <= tolerance && this.asleep[j]) result[i] = 1;
    }
    this.times = this.times.slice(j);
    this.asleep = this.asleep.slice(j);
    return result;
  }

  private read(): void {
    try {
      const length = readSync(this.fd!, this.buffer, 0, this.buffer.length, 0);
      this.times.push(Number(process.hrtime.bigint() / 1000n));
      this.asleep.push(isAsleepStat(this.buffer.toString('latin1', 0, length)));
    } catch {
      this.stop();
    }
  }
}
