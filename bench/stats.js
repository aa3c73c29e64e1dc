'use strict';

// Float64Array sorts numerically, unlike Array#sort's default string order.
function sortedCopy(values) {
  return Float64Array.from(values).sort();
}

// Linear interpolation between closest ranks; NaN for an empty sample.
function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = sortedCopy(values);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

function median(values) {
  return percentile(values, 50);
}

// Loops instead of Math.min(...values): spreading large arrays overflows the stack.
function min(values) {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return values.length ? m : NaN;
}

function max(values) {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return values.length ? m : NaN;
}

module.exports = { percentile, median, min, max };
