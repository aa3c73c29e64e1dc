/**
 * Unit tests, in-process: what TRIPOD_DEBUG values and --debug turn on (diagnostics/debug-log.ts), and that a
 * section that is off writes nothing.
 */
import { describe, expect, it } from 'vitest';
import { debugLog, debugSetting, debugSettingOf, enableDebugLog, tracesWanted } from '../../src/diagnostics/debug-log';

describe('TRIPOD_DEBUG', () => {
  it.each([
    [undefined, false, ''],
    ['', false, ''],
    ['0', false, ''],
    ['off', false, ''],
    ['1', false, '*'],
    ['*', false, '*'],
    ['true', false, '*'],
    ['capture,attach', false, 'capture,attach'],
    [' capture , log ', false, 'capture,log'],
    ['capture', true, '*'],
    [undefined, true, '*'],
  ])('%j with --debug %s is %j', (raw, flag, setting) => {
    expect(debugSettingOf(raw, flag)).toBe(setting);
  });

  it('refuses a name that is no section, naming it and the sections', () => {
    expect(() => debugSettingOf('capture,atach', false)).toThrow(
      'tripod: TRIPOD_DEBUG names "atach", which is no section; use a comma list of capture, attach, record, sample, log, profile, watchdog, crash, or * for all',
    );
  });

  it('asks for stack traces with 1 or *, not with a list of sections', () => {
    expect(tracesWanted('1')).toBe(true);
    expect(tracesWanted('*')).toBe(true);
    expect(tracesWanted('capture')).toBe(false);
    expect(tracesWanted(undefined)).toBe(false);
  });

  it("turns on the setting's sections only, for functions made before and after", () => {
    const capture = debugLog('capture');
    try {
      enableDebugLog('attach');
      expect(debugSetting()).toBe('attach');
      expect(capture.enabled).toBe(false);
      expect(debugLog('attach').enabled).toBe(true);
      enableDebugLog('*');
      expect(capture.enabled).toBe(true);
      expect(debugLog('crash').enabled).toBe(true);
    } finally {
      enableDebugLog('');
    }
    expect(capture.enabled).toBe(false);
  });
});
