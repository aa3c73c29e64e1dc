/**
 * A flame graph as one self-contained SVG file (no network, no other file):
 * callers below, callees above, each frame as wide as its share of the
 * samples. Hovering shows a frame's name, place and counts; clicking zooms in
 * on it, "Reset zoom" (or Escape) zooms back out.
 */
import { frameLabel, type ReportFrame } from '../report-frames';
import type { ReportData } from './report-data';

const WIDTH = 1200;
const FRAME_HEIGHT = 16;
const TOP = 40;
const BOTTOM = 24;
const SIDE = 10;
/**
 * The narrowest frame drawn by default, in pixels: a narrower one can be neither seen nor hovered. A tsc
 * profile drew 61,438 frames (17 MB; a headless Chromium screenshot took 5.2 s, 1.3 s of it Chromium's
 * start) with every frame of 0.3 px and up, 6,757 (1.5 MB, 1.6 s) at 1 px (BENCHMARKS.md).
 */
const DEFAULT_MIN_WIDTH = 1;
/**
 * At most this many frames by default (about 4.5 MB): the default width grows until the graph fits, so
 * any profile's graph opens. An explicit --min-width is used as given.
 */
const MOST_FRAMES_BY_DEFAULT = 20_000;
/** Average glyph width of the 12px font, for trimming labels to their frame. */
const CHAR_WIDTH = 7;

interface Box {
  node: number;
  x: number;
  width: number;
  depth: number;
  /** Samples under callees too narrow to draw, and how many callees: merged into this frame, which keeps their width. */
  merged: number;
  mergedCallees: number;
}

export function renderSvgFlamegraph({ summary, frames, title, minWidth: asked }: ReportData): string {
  const { tree } = summary;
  const totals = tree.totals();
  const scale = totals[0] > 0 ? (WIDTH - 2 * SIDE) / totals[0] : 0;
  const labels = frames.map((frame) => frameLabel(frame));
  const minWidth = asked ?? defaultMinWidth(totals, scale);
  const boxes = layout(tree, totals, scale, labels, minWidth);
  const mergedAny = boxes.some((box) => box.mergedCallees > 0);
  const maxDepth = boxes.reduce((max, box) => Math.max(max, box.depth), 0);
  const height = TOP + (maxDepth + 1) * FRAME_HEIGHT + BOTTOM;
  const y = (depth: number) => height - BOTTOM - (depth + 1) * FRAME_HEIGHT;
  const heading = `${title}: ${summary.samples.toLocaleString('en-US')} samples${mergedAny ? `; frames under ${widthText(minWidth)} px merged into their callers` : ''}`;
  const rects = boxes.map((box) => {
    const frame = box.node === 0 ? undefined : frames[tree.frame[box.node]];
    const label = frame ? labels[tree.frame[box.node]] : 'all';
    const share = ((100 * totals[box.node]) / Math.max(1, totals[0])).toFixed(2);
    const merged = box.mergedCallees > 0 ? `\n${box.merged.toLocaleString('en-US')} samples in ${box.mergedCallees.toLocaleString('en-US')} callee${box.mergedCallees === 1 ? '' : 's'} narrower than ${widthText(minWidth)} px, not drawn` : '';
    const tip = `${label}\n${totals[box.node].toLocaleString('en-US')} samples (${share}%), ${tree.self[box.node].toLocaleString('en-US')} on top${merged}${frame?.generated ? `\ngenerated code: ${frame.generated}` : ''}`;
    // A frame too narrow for its label gets no <text>: the zoom script makes one when zooming widens it.
    const fitted = fit(label, box.width);
    const text = fitted ? `<text x="${(box.x + 3).toFixed(2)}" y="${y(box.depth) + 11.5}">${escape(fitted)}</text>` : '';
    return (
      `<g class="f"><title>${escape(tip)}</title>` +
      `<rect x="${box.x.toFixed(2)}" y="${y(box.depth)}" width="${box.width.toFixed(2)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${color(frame)}"/>${text}</g>`
    );
  });
  return [
    `<?xml version="1.0" standalone="no"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Verdana, DejaVu Sans, sans-serif" font-size="12">`,
    `<style>.f text{pointer-events:none;fill:#000}.f:hover rect{stroke:#000;stroke-width:0.6}.f{cursor:pointer}#reset{cursor:pointer;fill:#1a4fa0}.hide{display:none}</style>`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="5%" stop-color="#eeeeee"/><stop offset="95%" stop-color="#eeeeb0"/></linearGradient></defs>`,
    `<rect width="100%" height="100%" fill="url(#bg)"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="17">${escape(heading)}</text>`,
    `<text id="reset" x="${SIDE}" y="24" class="hide">Reset zoom</text>`,
    `<text id="details" x="${SIDE}" y="${height - 7}"> </text>`,
    `<g id="frames">${rects.join('\n')}</g>`,
    `<script><![CDATA[${zoomScript()}]]></script>`,
    `</svg>`,
    '',
  ].join('\n');
}

/**
 * Boxes for every node at least `minWidth` pixels wide, parents before children, siblings sorted by name
 * as flamegraph.pl does. A narrower node is merged into its parent, as flamegraph.pl's --minwidth does:
 * not drawn, its samples still in the parent's width (and counted in the parent's tip).
 */
function layout(tree: ReportData['summary']['tree'], totals: number[], scale: number, labels: string[], minWidth: number): Box[] {
  const boxes: Box[] = [];
  const queue: Box[] = [{ node: 0, x: SIDE, width: totals[0] * scale, depth: 0, merged: 0, mergedCallees: 0 }];
  while (queue.length > 0) {
    const box = queue.pop()!;
    boxes.push(box);
    let x = box.x;
    const children = [...tree.childrenOf(box.node)].sort((a, b) => labels[tree.frame[a]].localeCompare(labels[tree.frame[b]]));
    for (const child of children) {
      const width = totals[child] * scale;
      if (width >= minWidth) {
        queue.push({ node: child, x, width, depth: box.depth + 1, merged: 0, mergedCallees: 0 });
      } else {
        box.merged += totals[child];
        box.mergedCallees++;
      }
      x += width;
    }
  }
  return boxes;
}

/**
 * DEFAULT_MIN_WIDTH, or wider when more than MOST_FRAMES_BY_DEFAULT frames would be drawn. A frame's
 * total never exceeds its caller's, so a frame is drawn exactly when its own width reaches the minimum:
 * the minimum that keeps the widest MOST_FRAMES_BY_DEFAULT is just over the next one's width.
 */
function defaultMinWidth(totals: number[], scale: number): number {
  if (totals.length <= MOST_FRAMES_BY_DEFAULT) return DEFAULT_MIN_WIDTH;
  const widest = Float64Array.from(totals).sort().reverse();
  const firstLeftOut = widest[MOST_FRAMES_BY_DEFAULT];
  // The next sample count up: every frame of the first left-out frame's count goes too.
  return Math.max(DEFAULT_MIN_WIDTH, (Math.floor(firstLeftOut) + 1) * scale);
}

/** A width for people: 1, 2.5, 13.27. */
function widthText(px: number): string {
  return String(Math.round(px * 100) / 100);
}

/** flamegraph.pl's warm colours for the program's code; cooler ones for Node's, V8's own and native frames. */
function color(frame: ReportFrame | undefined): string {
  if (!frame) return 'rgb(220,220,220)';
  const h = hash(frame.name);
  const v = (shift: number) => ((h >>> shift) & 0xff) / 255;
  if (!frame.url) return /^\(.*\)$/.test(frame.name) ? 'rgb(200,200,210)' : `rgb(${Math.round(120 + 40 * v(0))},${Math.round(170 + 40 * v(8))},230)`;
  if (frame.url.startsWith('node:')) return `rgb(${Math.round(200 + 30 * v(0))},${Math.round(200 + 30 * v(8))},${Math.round(120 + 40 * v(16))})`;
  return `rgb(${Math.round(205 + 50 * v(0))},${Math.round(230 * v(8))},${Math.round(55 * v(16))})`;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function fit(label: string, width: number): string {
  const chars = Math.floor((width - 6) / CHAR_WIDTH);
  if (chars < 3) return '';
  return label.length <= chars ? label : `${label.slice(0, chars - 2)}..`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The zoom script with the layout's constants written in (CHAR_WIDTH before WIDTH, which it contains). */
function zoomScript(): string {
  return ZOOM_SCRIPT.replace(/\bCHAR_WIDTH\b/g, String(CHAR_WIDTH)).replace(/\bWIDTH\b/g, String(WIDTH)).replace(/\bSIDE\b/g, String(SIDE));
}

/**
 * Runs in the browser: zooms by moving and stretching every frame, trims labels to fit (making a frame's
 * <text> the first time it is wide enough for one), shows details on hover. Each frame's unzoomed place
 * is read from its rect once, at load.
 */
const ZOOM_SCRIPT = `
(function () {
  var SVG = document.documentElement.namespaceURI;
  var frames = document.querySelectorAll('g.f');
  var reset = document.getElementById('reset');
  var details = document.getElementById('details');
  var full = WIDTH - 2 * SIDE;
  var boxes = [];
  for (var i = 0; i < frames.length; i++) {
    var r = frames[i].querySelector('rect');
    boxes.push([+r.getAttribute('x'), +r.getAttribute('width')]);
  }
  function label(g, rect, nx, nw) {
    var text = g.querySelector('text'), name = g.querySelector('title').textContent.split('\\n')[0];
    var chars = Math.floor((nw - 6) / CHAR_WIDTH);
    var shown = chars < 3 ? '' : name.length <= chars ? name : name.slice(0, chars - 2) + '..';
    if (!text) {
      if (!shown) return;
      text = document.createElementNS(SVG, 'text');
      text.setAttribute('y', +rect.getAttribute('y') + 11.5);
      g.appendChild(text);
    }
    text.setAttribute('x', nx + 3);
    text.textContent = shown;
  }
  function place(zx, zw) {
    for (var i = 0; i < frames.length; i++) {
      var g = frames[i], x = boxes[i][0], w = boxes[i][1];
      var nx = SIDE + (x - zx) * full / zw, nw = w * full / zw;
      if (nx + nw <= SIDE + 0.01 || nx >= SIDE + full - 0.01) { g.classList.add('hide'); continue; }
      if (nx < SIDE) { nw -= SIDE - nx; nx = SIDE; }
      nw = Math.min(nw, SIDE + full - nx);
      g.classList.remove('hide');
      var rect = g.querySelector('rect');
      rect.setAttribute('x', nx); rect.setAttribute('width', nw);
      label(g, rect, nx, nw);
    }
  }
  function zoomer(box) {
    return function () { place(box[0], box[1]); reset.classList.remove('hide'); };
  }
  for (var i = 0; i < frames.length; i++) {
    frames[i].addEventListener('click', zoomer(boxes[i]));
    frames[i].addEventListener('mouseover', function () { details.textContent = this.querySelector('title').textContent.replace(/\\n/g, ' | '); });
    frames[i].addEventListener('mouseout', function () { details.textContent = ' '; });
  }
  function unzoom() { place(SIDE, full); reset.classList.add('hide'); }
  reset.addEventListener('click', unzoom);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') unzoom(); });
})();
`;
