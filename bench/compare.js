'use strict';
const { median, min, max } = require('./stats.js');
const { okRuns, baselineEntry } = require('./interleave.js');

/**
 * Per-variant median/min/max of one metric and how it compares with the baseline.
 * Ratios are oriented so that < 1 always means "worse than the baseline":
 *   higher-is-better (throughput): ratio = variant / baseline;
 *   lower-is-better (time):        ratio = baseline / variant.
 * ratio compares the two medians. pairedRatio is the median of per-round ratios
 * (run i of the variant against run i of the baseline, which ran moments apart):
 * load that comes and goes over minutes cancels out of it, so overheadPct uses it.
 *   throughput: overheadPct = share of throughput lost = (1 - pairedRatio) * 100;
 *   time:       overheadPct = extra time = (1 / pairedRatio - 1) * 100.
 */
function summarize(results, pick, { higherIsBetter }) {
  const base = baselineEntry(results);
  const baseMedian = base ? median(okRuns(base).map(pick)) : NaN;
  const orient = (v, b) => (higherIsBetter ? v / b : b / v);
  return results.map((entry) => {
    const ok = okRuns(entry);
    const values = ok.map(pick);
    const med = median(values);
    const perRound = [];
    if (base) {
      entry.runs.forEach((run, i) => {
        const b = base.runs[i];
        if (run.ok && b && b.ok) perRound.push(orient(pick(run), pick(b)));
      });
    }
    const pairedRatio = median(perRound);
    const overheadPct = higherIsBetter ? (1 - pairedRatio) * 100 : (1 / pairedRatio - 1) * 100;
    return {
      entry,
      ok,
      median: med,
      min: min(values),
      max: max(values),
      ratio: orient(med, baseMedian),
      pairedRatio,
      overheadPct,
      diff: med - baseMedian,
    };
  });
}

module.exports = { summarize };
