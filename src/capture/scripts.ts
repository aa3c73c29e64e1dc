/**
 * scriptId -> URL, learned from Debugger.scriptParsed. Node 20 leaves
 * callFrame.url empty, so paused frames are named through this table. Script ids
 * are stable for the life of the isolate, so the table outlives each sample.
 */
import type { CdpClient, EventParams } from './cdp';

export class ScriptTable {
  private readonly urls = new Map<string, string>();
  /** scriptParsed events seen: those between an enable's call and its answer are what it replayed. */
  parsed = 0;
  private readonly onParsed = (event: EventParams<'Debugger.scriptParsed'>) => {
    this.parsed++;
    if (event.url) this.urls.set(event.scriptId, event.url);
  };

  constructor(private readonly cdp: CdpClient) {
    cdp.on('Debugger.scriptParsed', this.onParsed);
  }

  url(scriptId: string, fallback = ''): string {
    return fallback || this.urls.get(scriptId) || '';
  }

  dispose(): void {
    this.cdp.off('Debugger.scriptParsed', this.onParsed);
  }
}
