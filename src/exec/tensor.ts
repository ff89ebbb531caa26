/**
 * Tensors of the execution backend: dense, row-major (C order), batch axis first
 * (N, C, spatial...). Float32 for speed, Float64 for exact checks.
 */
export type Float = Float32Array | Float64Array;

export interface Tensor {
  /** Full shape including the batch axis: [N, C, L] | [N, C, H, W] | [N, C, D, H, W] | [N, F]. */
  readonly shape: readonly number[];
  readonly data: Float;
}

/**
 * Parameters and buffers of one layer, by PyTorch's names and layouts:
 *   conv:    weight [Cout, Cin/groups, ...K], bias [Cout]
 *   deconv:  weight [Cin, Cout/groups, ...K], bias [Cout]
 *   dense:   weight [out, in], bias [out]
 *   batchnorm: weight (γ) [C], bias (β) [C], running_mean [C], running_var [C]
 *   layernorm: weight, bias [sizes of the normalized axes]
 *   groupnorm, instancenorm: weight, bias [C]
 *   attention: in_proj_weight [3C, C], in_proj_bias [3C], out_proj_weight [C, C], out_proj_bias [C]
 */
export type LayerParams = Readonly<Record<string, Tensor>>;

/** Parameters of every layer of a model, by node id. */
export type ModelParams = ReadonlyMap<number, LayerParams>;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function zeros(shape: readonly number[], precision: "f32" | "f64" = "f32"): Tensor {
  const n = numel(shape);
  return { shape: [...shape], data: precision === "f64" ? new Float64Array(n) : new Float32Array(n) };
}
