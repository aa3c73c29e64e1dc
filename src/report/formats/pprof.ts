/**
 * pprof (gzipped protobuf, as `go tool pprof` and most profile viewers read),
 * encoded by pprof-format: one location per frame, one sample per distinct
 * stack with its count and wall time.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { filePath } from '../../frames/frame-text';
import type { ReportData } from './report-data';

export function renderPprof({ summary, frames }: ReportData): Uint8Array {
  const { tree, periodMs } = summary;
  const strings = new StringTable();
  const periodNs = Math.round(periodMs * 1e6);
  // Ids are 1-based: 0 means "none" in pprof.
  const functions = frames.map(
    (frame, i) =>
      new PprofFunction({
        id: i + 1,
        name: strings.dedup(frame.name || '(anonymous)'),
        systemName: strings.dedup(frame.name || '(anonymous)'),
        filename: strings.dedup(frame.url ? (filePath(frame.url) ?? frame.url) : ''),
        startLine: frame.line,
      }),
  );
  const locations = frames.map((frame, i) => new Location({ id: i + 1, line: [new Line({ functionId: i + 1, line: frame.line })] }));
  const samples: Sample[] = [];
  for (let node = 1; node < tree.size; node++) {
    const count = tree.self[node];
    if (count === 0) continue;
    // pprof lists a sample's locations leaf first.
    const leafFirst = tree.pathTo(node).reverse().map((frame) => frame + 1);
    samples.push(new Sample({ locationId: leafFirst, value: [count, count * periodNs] }));
  }
  const profile = new Profile({
    sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }), new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') })],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: Math.round((summary.from ?? 0) * 1e6),
    durationNanos: summary.from !== undefined && summary.to !== undefined ? Math.round((summary.to - summary.from) * 1e6) : 0,
    periodType: new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') }),
    period: periodNs,
  });
  return gzipSync(profile.encode());
}
