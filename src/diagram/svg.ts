/**
 * Draws a laid-out diagram as a standalone SVG document: clusters as tinted frames, boxes
 * filled by MACs (square-root scale, darker = more), edges as orthogonal routes with arrowheads and
 * their tensor shapes beside them. Every box carries `data-box` and `data-nodes` so a page
 * can highlight a layer.
 */
import type { DiagramBox, DiagramGraph } from "./graph.js";
import type { Layout } from "./layout.js";
import { BOX_PAD_X, CHAR_WIDTH, BOX_PAD_Y, FONT_FAMILY, FONT_SIZE, LABEL_FONT_SIZE, LINE_HEIGHT } from "./metrics.js";

const NEEDS_ESCAPE = /[&<>"]/;

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r1 = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * Fill of a box: white-to-orange by √(MACs / max MACs), which keeps cheap layers visible and
 * still tells a 2× difference among the expensive ones; boxes without MACs are grey,
 * inputs and outputs blue-grey. Returns the fill and whether its text should be light.
 */
export function fillFor(b: DiagramBox, maxMacs: bigint): { fill: string; light: boolean } {
  if (b.role === "input" || b.role === "output") return { fill: "#dde6f0", light: false };
  if (b.macs === 0n || maxMacs === 0n) return { fill: "#f4f4f4", light: false };
  const t = Math.max(0, Math.min(1, Math.sqrt(Number(b.macs) / Number(maxMacs))));
  // From #fff3e0 (t = 0) to #d84315 (t = 1), through the orange ramp.
  const lerp = (a: number, z: number) => Math.round(a + (z - a) * t);
  const rgb = [lerp(0xff, 0xd8), lerp(0xf3, 0x43), lerp(0xe0, 0x15)];
  return { fill: `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`, light: t > 0.72 };
}

/** A box's fill and the colour of its text. */
export function boxColours(b: DiagramBox, maxMacs: bigint): { fill: string; ink: string } {
  const { fill, light } = fillFor(b, maxMacs);
  return { fill, ink: light ? "#ffffff" : "#1d1d1d" };
}

/** The SVG document for a diagram and its layout. */
export function renderSvg(d: DiagramGraph, l: Layout): string {
  const titleH = 22;
  // The canvas covers every shape and route: resvg aborts the process on a marked path that
  // lies wholly outside it (resvg 2.6), so nothing may rely on the layout's own bounds alone.
  let right = l.width;
  let bottom = l.height;
  for (const r of [...l.boxes.values(), ...l.clusters.values()]) {
    right = Math.max(right, r.x + r.width);
    bottom = Math.max(bottom, r.y + r.height);
  }
  for (const e of l.edges.values()) {
    for (const p of e.points) {
      right = Math.max(right, p.x + 8);
      bottom = Math.max(bottom, p.y + 8);
    }
    if (e.label) {
      right = Math.max(right, e.label.x + e.label.width);
      bottom = Math.max(bottom, e.label.y + e.label.height);
    }
  }
  const width = Math.ceil(Math.max(right, d.title.length * CHAR_WIDTH + 24));
  const height = Math.ceil(bottom + titleH);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(d.title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="12" y="15" fill="#333">${escapeXml(d.title)}</text>`,
    `<g transform="translate(0,${titleH})">`,
  ];
  for (const c of d.clusters) {
    const r = l.clusters.get(c.id);
    if (!r) continue;
    out.push(
      `<g class="cluster" data-cluster="${escapeXml(c.id)}"><rect x="${r1(r.x)}" y="${r1(r.y)}" width="${r1(r.width)}" height="${r1(r.height)}" rx="6" fill="#7a8ca3" fill-opacity="0.07" stroke="#7a8ca3" stroke-dasharray="4 3"/>` +
        `<text x="${r1(r.x + 8)}" y="${r1(r.y + 13)}" font-size="${LABEL_FONT_SIZE}" fill="#4a5a70">${escapeXml(c.label)}</text></g>`,
    );
  }
  for (const e of d.edges) {
    const le = l.edges.get(e.id);
    if (!le || le.points.length < 2) continue;
    const path = le.points.map((p, i) => `${i === 0 ? "M" : "L"}${r1(p.x)},${r1(p.y)}`).join(" ");
    let label = "";
    if (le.label) {
      const lr = le.label;
      label = `<text class="shape" x="${r1(lr.x + 2)}" y="${r1(lr.y + lr.height - 3)}" font-size="${LABEL_FONT_SIZE}" fill="#2a5d8f">${escapeXml(e.label)}</text>`;
    }
    out.push(`<g class="edge" data-edge="${e.id}" data-from="${e.from}" data-to="${e.to}"><path d="${path}" fill="none" stroke="#666" stroke-width="1.1" marker-end="url(#arrow)"/>${label}</g>`);
  }
  for (const b of d.boxes) {
    const r = l.boxes.get(b.id);
    if (!r) continue;
    const { fill, ink } = boxColours(b, d.maxMacs);
    const rx = b.role === "merge" ? r.height / 2 : b.role === "block" ? 2 : 4;
    const stroke = b.role === "block" ? `stroke="#333" stroke-width="1.6"` : `stroke="#555" stroke-width="1"`;
    const text = b.lines
      .map((line, i) => `<text x="${r1(r.x + BOX_PAD_X)}" y="${r1(r.y + BOX_PAD_Y + (i + 1) * LINE_HEIGHT - 3)}" fill="${ink}"${i === 0 ? ` font-weight="bold"` : ""}>${escapeXml(line)}</text>`)
      .join("");
    out.push(
      `<g class="box ${b.role}" data-box="${escapeXml(b.id)}" data-nodes="${b.nodes.join(" ")}"><rect x="${r1(r.x)}" y="${r1(r.y)}" width="${r1(r.width)}" height="${r1(r.height)}" rx="${r1(Math.min(rx, 12))}" fill="${fill}" ${stroke}/>${text}</g>`,
    );
  }
  out.push("</g>", "</svg>");
  return out.join("\n") + "\n";
}
