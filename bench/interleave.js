'use strict';

/**
 * Runs variant A run 1, B run 1, ..., A run 2, ... so slow drift of the machine
 * (thermal, other tenants) lands on every variant alike.
 * runOne(variant, index) resolves { ok: true, ... } or { ok: false, error, stderrTail }.
 * Returns [{ variant, runs: [result, ...] }] in variant order.
 */
async function interleave({ suite, runs, variants, runOne, describe, progress }) {
  const results = variants.map((variant) => ({ variant, runs: [] }));
  for (let i = 0; i < runs; i++) {
    for (const entry of results) {
      let res;
      try {
        res = await runOne(entry.variant, i);
      } catch (err) {
        res = { ok: false, error: `harness error: ${(err && err.stack) || err}`, stderrTail: '' };
      }
      entry.runs.push(res);
      const what = res.ok ? describe(res) : `FAILED: ${res.error}`;
      progress(`[${suite}] run ${i + 1}/${runs} ${entry.variant.name}: ${what}`);
    }
  }
  return results;
}

module.exports = { interleave };

function okRuns(entry) {
  return entry.runs.filter((r) => r.ok);
}

function baselineEntry(results) {
  return results.find((e) => e.variant.baseline) || null;
}

module.exports.okRuns = okRuns;
module.exports.baselineEntry = baselineEntry;
