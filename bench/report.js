'use strict';

const NA = 'n/a';
const PAIRED_NOTE =
  'paired ratio = median over rounds of (run i of the variant vs run i of node), which cancels load that drifts over minutes';
const STDERR_TAIL_LINES = 15;

function table(headers, rows) {
  const esc = (cell) => String(cell).replace(/\|/g, '\\|');
  const lines = [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(esc).join(' | ')} |`);
  return lines.join('\n');
}

function num(x, digits = 2) {
  return Number.isFinite(x) ? x.toFixed(digits) : NA;
}

function int(x) {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : NA;
}

function signedPct(x) {
  if (!Number.isFinite(x)) return NA;
  // Round first so a tiny negative prints as +0.0%, not -0.0%.
  const r = Math.round(x * 10) / 10 || 0;
  return `${r >= 0 ? '+' : ''}${r.toFixed(1)}%`;
}

function range(lo, hi, format) {
  return Number.isFinite(lo) ? `${format(lo)} – ${format(hi)}` : NA;
}

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${String(arg).replace(/'/g, `'\\''`)}'`;
}

function commandLine(argv) {
  return argv.map(shellQuote).join(' ');
}

function variantCommands(results, scriptArgs) {
  const lines = results.map(({ variant }) => {
    const env = Object.entries(variant.env).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
    return `- ${variant.name}: \`${env}${commandLine([...variant.cmd, ...scriptArgs])}\``;
  });
  return lines.join('\n');
}

/** Markdown notes for failed runs: the first failure of each variant with its stderr tail. */
function failureNotes(results) {
  const out = [];
  for (const { variant, runs } of results) {
    const failed = runs.filter((r) => !r.ok);
    if (failed.length === 0) continue;
    const first = failed[0];
    out.push(`**${variant.name}: ${failed.length}/${runs.length} runs failed.** First failure: ${first.error}`);
    const tail = (first.stderrTail || '').trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
    if (tail) out.push('```\n' + tail + '\n```');
  }
  return out.join('\n\n');
}

// The baseline compared with itself carries no information.
function ratioCell(summary) {
  return summary.entry.variant.baseline ? '—' : num(summary.ratio, 3);
}

function pairedRatioCell(summary) {
  return summary.entry.variant.baseline ? '—' : num(summary.pairedRatio, 3);
}

function overheadCell(summary) {
  return summary.entry.variant.baseline ? '—' : signedPct(summary.overheadPct);
}

/** Run count column: "5" or "3/5" when some runs failed. */
function runCount(entry, ok) {
  return ok.length === entry.runs.length ? String(ok.length) : `${ok.length}/${entry.runs.length}`;
}

/** The cells every throughput table starts with: variant, runs, median, range, the two ratios and the overhead. */
function throughputCells(summary) {
  return [
    summary.entry.variant.name,
    runCount(summary.entry, summary.ok),
    int(summary.median),
    range(summary.min, summary.max, int),
    ratioCell(summary),
    pairedRatioCell(summary),
    overheadCell(summary),
  ];
}

/** A suite's Markdown: its non-empty parts, a blank line apart. */
function section(parts) {
  return parts.filter(Boolean).join('\n\n');
}

module.exports = { NA, throughputCells, section, PAIRED_NOTE, table, num, int, signedPct, range, commandLine, variantCommands, failureNotes, runCount, ratioCell, pairedRatioCell, overheadCell };
