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
/** Frames narrower than this (in pixels) are left out: nobody could see or hover them. */
const MIN_WIDTH = 0.3;
/** Average glyph width of the 12px font, for trimming labels to their frame. */
const CHAR_WIDTH = 7;

interface Box {
  node: number;
  x: number;
  width: number;
  depth: number;
}

export function renderSvgFlamegraph({ summary, frames, title }: ReportData): string {
  const { tree } = summary;
  const totals = tree.totals();
  const scale = totals[0] > 0 ? (WIDTH - 2 * SIDE) / totals[0] : 0;
  const labels = frames.map((frame) => frameLabel(frame));
  const boxes = layout(tree, totals, scale, labels);
  const maxDepth = boxes.reduce((max, box) => Math.max(max, box.depth), 0);
  const height = TOP + (maxDepth + 1) * FRAME_HEIGHT + BOTTOM;
  const y = (depth: number) => height - BOTTOM - (depth + 1) * FRAME_HEIGHT;
  const heading = `${title}: ${summary.samples.toLocaleString('en-US')} samples`;
  const rects = boxes.map((box) => {
    const frame = box.node === 0 ? undefined : frames[tree.frame[box.node]];
    const label = frame ? labels[tree.frame[box.node]] : 'all';
    const share = ((100 * totals[box.node]) / Math.max(1, totals[0])).toFixed(2);
    const tip = `${label}\n${totals[box.node].toLocaleString('en-US')} samples (${share}%), ${tree.self[box.node].toLocaleString('en-US')} on top${frame?.generated ? `\ngenerated code: ${frame.generated}` : ''}`;
    return (
      `<g class="f" data-x="${box.x.toFixed(2)}" data-w="${box.width.toFixed(2)}"><title>${escape(tip)}</title>` +
      `<rect x="${box.x.toFixed(2)}" y="${y(box.depth)}" width="${box.width.toFixed(2)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${color(frame)}"/>` +
      `<text x="${(box.x + 3).toFixed(2)}" y="${y(box.depth) + 11.5}">${escape(fit(label, box.width))}</text></g>`
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
    `<script><![CDATA[${ZOOM_SCRIPT.replace(/WIDTH/g, String(WIDTH)).replace(/SIDE/g, String(SIDE)).replace(/CHAR_WIDTH/g, String(CHAR_WIDTH))}]]></script>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** Boxes for every node wide enough to see, parents before children, siblings sorted by name as flamegraph.pl does. */
function layout(tree: ReportData['summary']['tree'], totals: number[], scale: number, labels: string[]): Box[] {
  const boxes: Box[] = [];
  const queue: Box[] = [{ node: 0, x: SIDE, width: totals[0] * scale, depth: 0 }];
  while (queue.length > 0) {
    const box = queue.pop()!;
    boxes.push(box);
    let x = box.x;
    const children = [...tree.childrenOf(box.node)].sort((a, b) => labels[tree.frame[a]].localeCompare(labels[tree.frame[b]]));
    for (const child of children) {
      const width = totals[child] * scale;
      if (width >= MIN_WIDTH) queue.push({ node: child, x, width, depth: box.depth + 1 });
      x += width;
    }
  }
  return boxes;
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

/** Runs in the browser: zooms by moving and stretching every frame, trims labels to fit, shows details on hover. */
const ZOOM_SCRIPT = `
(function () {
  var frames = document.querySelectorAll('g.f');
  var reset = document.getElementById('reset');
  var details = document.getElementById('details');
  var full = WIDTH - 2 * SIDE;
  function place(zx, zw) {
    for (var i = 0; i < frames.length; i++) {
      var g = frames[i], x = +g.getAttribute('data-x'), w = +g.getAttribute('data-w');
      var nx = SIDE + (x - zx) * full / zw, nw = w * full / zw;
      if (nx + nw <= SIDE + 0.01 || nx >= SIDE + full - 0.01) { g.classList.add('hide'); continue; }
      if (nx < SIDE) { nw -= SIDE - nx; nx = SIDE; }
      nw = Math.min(nw, SIDE + full - nx);
      g.classList.remove('hide');
      var rect = g.querySelector('rect'), text = g.querySelector('text'), label = g.querySelector('title').textContent.split('\\n')[0];
      rect.setAttribute('x', nx); rect.setAttribute('width', nw);
      text.setAttribute('x', nx + 3);
      var chars = Math.floor((nw - 6) / CHAR_WIDTH);
      text.textContent = chars < 3 ? '' : label.length <= chars ? label : label.slice(0, chars - 2) + '..';
    }
  }
  for (var i = 0; i < frames.length; i++) {
    frames[i].addEventListener('click', function () {
      place(+this.getAttribute('data-x'), +this.getAttribute('data-w'));
      reset.classList.remove('hide');
    });
    frames[i].addEventListener('mouseover', function () { details.textContent = this.querySelector('title').textContent.replace(/\\n/g, ' | '); });
    frames[i].addEventListener('mouseout', function () { details.textContent = ' '; });
  }
  function unzoom() { place(SIDE, full); reset.classList.add('hide'); }
  reset.addEventListener('click', unzoom);
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') unzoom(); });
})();
`;
