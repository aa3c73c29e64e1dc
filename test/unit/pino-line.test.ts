// The main thread's records of a run the worker never began (run/unbegun-run.ts, log/pino-line.ts) against
// what SampleLog's pino writes for the same records: the same keys in the same order, the same values.
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startHeader } from '../../src/log/header';
import { SampleLog } from '../../src/log/logger';
import { PINO_INFO, pinoLine } from '../../src/log/pino-line';
import { DEFAULT_REDACT_KEYS } from '../../src/capture/redact';
import { unbegunRun, writeRunStart, writeUnbegunRun } from '../../src/run/unbegun-run';
import { runHeader, type SamplerData, type SamplerTarget } from '../../src/run/worker-protocol';

const data: SamplerData = {
  intervalMs: 5000,
  timeoutMs: 1000,
  localsBudget: 0.01,
  limits: { depth: 2, maxElements: 20, maxString: 200, maxFrames: 50, locals: true, redactKeys: DEFAULT_REDACT_KEYS },
  version: '9.9.9',
  control: new SharedArrayBuffer(20),
  endBuffer: new SharedArrayBuffer(16),
  requests: { running: false, keepQuery: true, slowMs: 200, repeatMs: 0 },
};

function logLines(write: (fd: number, file: string) => void): Record<string, unknown>[] {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tripod-pino-line-')), 'log');
  const fd = openSync(file, 'a');
  write(fd, file);
  closeSync(fd);
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const withoutTime = ({ time, ...rest }: Record<string, unknown>) => (expect(typeof time).toBe('number'), rest);

describe('a run the worker never began', () => {
  const target: SamplerTarget = { fd: -1, logPath: 'x.log', script: '/srv/app "quoted" \u2028 é.js', argv: ['/usr/bin/node', '/srv/app.js', '--flag=1'], ppid: 41 };
  const end = { exitCode: 3, signal: 'SIGTERM' };

  it('is written as the worker writes it: start and end, the same keys in the same order', () => {
    const byPino = logLines((fd) => {
      const log = new SampleLog(fd);
      log.start(startHeader(runHeader(data, { ...target, fd })));
      log.end({ ...end, samples: 0 });
    });
    // The start at 'begin', the end at the exit; and both at the exit when the start could not be written then.
    const byMain = logLines((fd, file) => {
      const run = unbegunRun(data, { ...target, fd, logPath: file });
      expect(writeRunStart(run)).toBe(true);
      writeUnbegunRun(run, end);
    });
    const atExit = logLines((fd, file) => writeUnbegunRun(unbegunRun(data, { ...target, fd, logPath: file }), end));
    for (const lines of [byMain, atExit]) {
      expect(lines.map(withoutTime)).toEqual(byPino.map(withoutTime));
      expect(lines.map((r) => Object.keys(r))).toEqual(byPino.map((r) => Object.keys(r)));
    }
    expect(byMain[0]).toMatchObject({ level: PINO_INFO, event: 'start', ppid: 41, tripod: '9.9.9', requests: { slowMs: 200, keepQuery: true } });
  });

  it('leaves out undefined fields as pino does', () => {
    const line = JSON.parse(pinoLine(PINO_INFO, 7, { event: 'end', exitCode: undefined, samples: 0 }, 'end', 5));
    expect(line).toEqual({ level: 30, time: 5, pid: 7, event: 'end', samples: 0, msg: 'end' });
  });
});
