/**
 * `diagram(model)`: a drawing of an analysed model as an SVG string. Runs in Node and in a
 * browser or worker (no Node built-ins); the layout engine is loaded on the first call.
 */
import type { ModelAnalysis } from "../analysis/types.js";
import { diagramGraph, type DiagramOptions } from "./graph.js";
import { layoutDiagram } from "./layout.js";
import { renderSvg } from "./svg.js";

export { diagramGraph, keyArgs, type DiagramOptions, type DiagramGraph, type DiagramBox, type DiagramEdge, type DiagramCluster } from "./graph.js";
export { layoutDiagram, type Layout, type LaidEdge, type Rect } from "./layout.js";
export { renderSvg } from "./svg.js";

/** The model drawn as a standalone SVG document (text). */
export async function diagramSvg(m: ModelAnalysis, options: DiagramOptions = {}): Promise<string> {
  const g = diagramGraph(m, options);
  return renderSvg(g, await layoutDiagram(g));
}
