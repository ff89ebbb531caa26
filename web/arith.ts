/**
 * The convolution-arithmetic panel of a conv or pooling layer (Dumoulin & Visin, "A guide to
 * convolution arithmetic for deep learning", 2016): the input grid with its padding, the
 * kernel at three positions (stride and dilation visible), the output grid, the formula with
 * this layer's numbers, and the receptive field of the first output unit on the model's input
 * (Araujo et al., Distill 2019). Pure: returns text and SVG strings.
 */
import { perAxis } from "../src/families/args.js";
import { axisName, padPerAxis, windowGeometry, type WindowGeometry } from "../src/families/geometry.js";
import type { WebLayer } from "./protocol.js";

/** The window geometry of every spatial axis, when the layer slides a window whose output the
 * forward formula gives (conv, pooling); undefined otherwise (transposed conv, dense, ...). */
export function layerWindows(l: WebLayer): WindowGeometry[] | undefined {
  const dims = l.inputShape.length - 1;
  if (dims < 1 || l.args.kernel === undefined) return undefined;
  const kernel = perAxis(l.args.kernel as never, dims);
  if (!Array.isArray(kernel)) return undefined;
  const stride = perAxis(l.args.stride as never, dims, kernel);
  const dilation = perAxis((l.args.dilation ?? 1) as never, dims);
  const pads = padPerAxis(l.args.padding as never, dims);
  if (!Array.isArray(stride) || !Array.isArray(dilation) || typeof pads === "string") return undefined;
  const geo = l.inputShape.slice(1).map((n, a) => windowGeometry(n, kernel[a]!, stride[a]!, pads[a]!, dilation[a]!, l.args.ceil === true));
  // Only where the forward formula is the layer's own: its output must be what the analysis found.
  return geo.every((g, a) => g.out === l.outputShape[a + 1]) ? geo : undefined;
}

const sub = (a: number, b: number) => (b < 0 ? `${a} + ${-b}` : `${a} − ${b}`);

/** The output-size formula per axis (axes with the same numbers share a line), with this layer's numbers. */
export function formulaLines(geo: readonly WindowGeometry[]): string[] {
  const dims = geo.length;
  const groups = new Map<string, { axes: string[]; g: WindowGeometry }>();
  for (const [a, g] of geo.entries()) {
    const key = JSON.stringify(g);
    const e = groups.get(key) ?? { axes: [], g };
    e.axes.push(axisName(a, dims));
    groups.set(key, e);
  }
  const out: string[] = [];
  for (const { axes, g } of groups.values()) {
    const round = g.ceil ? "⌈" : "⌊";
    const close = g.ceil ? "⌉" : "⌋";
    const span = g.n + g.padBefore + g.padAfter - g.effKernel;
    const lead = `${axes.join(", ")}:`;
    if (g.padBefore === g.padAfter && g.dilation === 1) {
      const exact = (g.n - g.kernel + 2 * g.padBefore) / g.stride + 1;
      const shown = Number.isInteger(exact) ? `${exact}` : `${Math.round(exact * 1000) / 1000} → ${g.out}`;
      out.push(`${lead} (N − K + 2P)/S + 1 = (${sub(g.n, g.kernel)} + 2·${g.padBefore})/${g.stride} + 1 = ${shown}`);
    } else {
      const keff = g.dilation === 1 ? `${g.kernel}` : `(${g.dilation}·(${g.kernel} − 1) + 1)`;
      out.push(`${lead} ${round}(N + Pb + Pa − Keff)/S${close} + 1 = ${round}(${g.n} + ${g.padBefore} + ${g.padAfter} − ${keff})/${g.stride}${close} + 1 = ${round}${span}/${g.stride}${close} + 1 = ${g.out}`);
    }
    if (g.dilation > 1) out.push(`  dilated kernel: Keff = D·(K − 1) + 1 = ${g.dilation}·(${g.kernel} − 1) + 1 = ${g.effKernel}`);
    if (g.dropped > 0) out.push(`  the last ${g.dropped} of ${g.n} input positions are never read`);
  }
  return out;
}

const CELL = 14;
/** The most grid cells drawn per side; larger grids show their top-left corner and an ellipsis. */
const MAX_CELLS = 18;
const COLORS = ["#e4572e", "#2e86ab", "#7bb662"];

/** Input positions (before padding) that output unit `o` reads along one axis. */
export function taps(g: WindowGeometry, o: number): number[] {
  return Array.from({ length: g.kernel }, (_, k) => o * g.stride - g.padBefore + k * g.dilation);
}

/**
 * The picture: padded input (top-left corner when large), the windows of output units
 * (0,0), (0,1) and (1,0) in three colours, the output grid with those units, and the first
 * unit's receptive field on the model's input.
 */
export function arithSvg(l: WebLayer, geo: readonly WindowGeometry[], inputSpatial: readonly number[]): string {
  // Draw the last two spatial axes (H, W), or the one axis of a 1-D layer.
  const gy = geo.length >= 2 ? geo[geo.length - 2]! : undefined;
  const gx = geo[geo.length - 1]!;
  const rowsIn = gy ? gy.n + gy.padBefore + gy.padAfter : 1;
  const colsIn = gx.n + gx.padBefore + gx.padAfter;
  const shownRows = Math.min(rowsIn, MAX_CELLS);
  const shownCols = Math.min(colsIn, MAX_CELLS);
  const units: [number, number][] = [[0, 0], [0, 1], [1, 0]];
  const picked = units.filter(([y, x]) => x < gx.out && (gy ? y < gy.out : y === 0));
  const parts: string[] = [];
  const x0 = 10;
  const y0 = 30;
  parts.push(`<text x="${x0}" y="18" class="cap">input ${gy ? `${gy.n}×` : ""}${gx.n}, padding grey</text>`);
  for (let r = 0; r < shownRows; r++) {
    for (let c = 0; c < shownCols; c++) {
      const iy = gy ? r - gy.padBefore : 0;
      const ix = c - gx.padBefore;
      const pad = (gy && (iy < 0 || iy >= gy.n)) || ix < 0 || ix >= gx.n;
      parts.push(`<rect x="${x0 + c * CELL}" y="${y0 + r * CELL}" width="${CELL}" height="${CELL}" class="${pad ? "pad" : "cell"}"/>`);
    }
  }
  picked.forEach(([uy, ux], i) => {
    const ys = gy ? taps(gy, uy) : [0];
    const xs = taps(gx, ux);
    for (const ty of ys) {
      for (const tx of xs) {
        const r = gy ? ty + gy.padBefore : 0;
        const c = tx + gx.padBefore;
        if (r >= shownRows || c >= shownCols) continue;
        const inset = 2 + i * 2;
        parts.push(`<rect x="${x0 + c * CELL + inset}" y="${y0 + r * CELL + inset}" width="${CELL - 2 * inset}" height="${CELL - 2 * inset}" fill="${COLORS[i]}" fill-opacity="0.75" class="tap" data-unit="${uy},${ux}"/>`);
      }
    }
  });
  if (rowsIn > shownRows || colsIn > shownCols) parts.push(`<text x="${x0 + shownCols * CELL + 4}" y="${y0 + shownRows * CELL}" class="cap">…</text>`);
  // Output grid beside the input.
  const ox = x0 + shownCols * CELL + 40;
  const outRows = gy ? Math.min(gy.out, MAX_CELLS) : 1;
  const outCols = Math.min(gx.out, MAX_CELLS);
  parts.push(`<text x="${ox}" y="18" class="cap">output ${gy ? `${gy.out}×` : ""}${gx.out}</text>`);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      const i = picked.findIndex(([uy, ux]) => uy === r && ux === c);
      parts.push(`<rect x="${ox + c * CELL}" y="${y0 + r * CELL}" width="${CELL}" height="${CELL}" class="cell"${i >= 0 ? ` style="fill:${COLORS[i]}" data-out="${r},${c}"` : ""}/>`);
    }
  }
  const width = ox + outCols * CELL + 20;
  let height = y0 + Math.max(shownRows, outRows) * CELL + 10;
  // The receptive field of output unit (0,0) on the model's input, scaled to 120 px.
  const rfPart = receptiveFieldPart(l, inputSpatial, 10, height + 10);
  if (rfPart) height += rfPart.height + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 300)}" height="${height}" class="arith">${parts.join("")}${rfPart?.svg ?? ""}</svg>`;
}

/** The first output unit's field [start − (size − 1)/2, start + (size − 1)/2] per axis, drawn on the model's input. */
function receptiveFieldPart(l: WebLayer, input: readonly number[], x: number, y: number): { svg: string; height: number } | undefined {
  if (l.rf.global || l.rf.size.length < 1 || input.length !== l.rf.size.length) return undefined;
  const h = input.length >= 2 ? input[input.length - 2]! : 1;
  const w = input[input.length - 1]!;
  const scale = 120 / Math.max(h, w);
  const axis = (a: number) => {
    const lo = l.rf.start[a]! - (l.rf.size[a]! - 1) / 2;
    return [lo, lo + l.rf.size[a]!] as const;
  };
  const [xl, xh] = axis(l.rf.size.length - 1);
  const [yl, yh] = l.rf.size.length >= 2 ? axis(l.rf.size.length - 2) : [0, 1];
  const clip = (v: number, n: number) => Math.max(0, Math.min(n, v));
  const top = y + 16;
  const svg =
    `<text x="${x}" y="${y + 10}" class="cap">receptive field of output (0,0): ${l.rf.size.join("×")} of the model's input ${input.join("×")}</text>` +
    `<rect x="${x}" y="${top}" width="${w * scale}" height="${h * scale}" class="cell"/>` +
    `<rect x="${x + clip(xl, w) * scale}" y="${top + clip(yl, h) * scale}" width="${(clip(xh, w) - clip(xl, w)) * scale}" height="${(clip(yh, h) - clip(yl, h)) * scale}" fill="${COLORS[0]}" fill-opacity="0.5" class="rf"/>`;
  return { svg, height: h * scale + 20 };
}
