/**
 * Report rows from an analysis: leaf layers, grouped under the block calls that made them.
 * Block calls deeper than `depth` collapse into one row that sums their layers; expanded
 * block calls get a header row without numbers, so the numeric columns always sum to the totals.
 */
import type { LayerFacts, ModelAnalysis, ReceptiveField } from "../analysis/types.js";
import type { BlockFrame } from "../graph/ir.js";

export interface ReportRow {
  /** Nesting level under block calls (0 = model body). */
  readonly indent: number;
  readonly label: string;
  readonly kind: string;
  /** Block-call path ("" at model level). */
  readonly block: string;
  readonly outputShape?: readonly number[];
  /** Absent on a block-call header row. */
  readonly params?: bigint;
  readonly nonTrainableParams?: bigint;
  readonly macs?: bigint;
  readonly flops?: bigint;
  readonly activationBytes?: bigint;
  readonly rf?: ReceptiveField;
  /** The number of layers the row stands for (1 for a layer, more for a collapsed block). */
  readonly layers: number;
  /** The graph node of a layer's row (absent on block-call headers and collapsed calls). */
  readonly node?: number;
}

/** Rows for one model; `depth` = how many levels of block calls to open (Infinity: all). */
export function reportRows(m: ModelAnalysis, depth = Infinity): ReportRow[] {
  const rows: ReportRow[] = [];
  const calls = new Map(m.graph.blockCalls.map((c) => [c.path, c]));
  const facts = new Map(m.layers.map((l) => [l.node, l]));
  // A call of a block with several results kept has no one output shape: its row shows none.
  const several = (path: string) => (calls.get(path)?.results?.length ?? 0) > 1;
  let open: readonly BlockFrame[] = [];
  let collapsed: { key: string; members: LayerFacts[]; frame: BlockFrame; indent: number } | undefined;
  const flush = () => {
    if (collapsed) rows.push(collapse(m, collapsed.members, collapsed.frame, collapsed.indent, several(`${m.name}/${collapsed.key}`)));
    collapsed = undefined;
  };
  for (const l of m.layers) {
    const frames = m.graph.nodes[l.node]!.blocks;
    const shown = frames.slice(0, Math.min(frames.length, depth));
    // Header rows for block calls entered since the previous layer.
    let common = 0;
    while (common < Math.min(open.length, shown.length) && sameFrame(open[common]!, shown[common]!)) common++;
    if (common < shown.length || shown.length < open.length) flush();
    for (let i = common; i < shown.length; i++) {
      const f = shown[i]!;
      const path = [m.name, ...shown.slice(0, i + 1).map((x) => x.name)].join("/");
      const call = calls.get(path);
      const out = call && !several(path) ? facts.get(call.output)?.outputShape : undefined;
      rows.push({ indent: i, label: f.name, kind: f.block, block: shown.slice(0, i).map((x) => x.name).join("/"), layers: 0, ...(out ? { outputShape: out } : {}) });
    }
    open = shown;
    if (frames.length > depth) {
      const key = frames.slice(0, depth + 1).map((f) => f.name).join("/");
      if (collapsed && collapsed.key !== key) flush();
      collapsed ??= { key, members: [], frame: frames[depth]!, indent: depth };
      collapsed.members.push(l);
      continue;
    }
    flush();
    rows.push({
      indent: frames.length, label: l.name, kind: l.kind, block: l.block, outputShape: l.outputShape,
      params: l.params, nonTrainableParams: l.nonTrainableParams, macs: l.macs, flops: l.flops,
      activationBytes: l.activationBytes, rf: l.rf, layers: 1, node: l.node,
    });
  }
  flush();
  return rows;
}

/** One row for a collapsed block call: sums of its layers, the shape (unless it has several results) and field of its last. */
function collapse(m: ModelAnalysis, members: readonly LayerFacts[], frame: BlockFrame, indent: number, several: boolean): ReportRow {
  const last = members[members.length - 1]!;
  const sum = (pick: (f: LayerFacts) => bigint) => members.reduce((a, f) => a + pick(f), 0n);
  const block = m.graph.nodes[last.node]!.blocks.slice(0, indent).map((f) => f.name).join("/");
  return {
    indent, label: frame.name, kind: frame.block, block, ...(several ? {} : { outputShape: last.outputShape }),
    params: sum((f) => f.params), nonTrainableParams: sum((f) => f.nonTrainableParams), macs: sum((f) => f.macs),
    flops: sum((f) => f.flops), activationBytes: sum((f) => f.activationBytes), rf: last.rf, layers: members.length,
  };
}

function sameFrame(a: BlockFrame, b: BlockFrame): boolean {
  return a === b || (a.name === b.name && a.block === b.block && a.span.start === b.span.start && a.span.file === b.span.file);
}
