/** Element-wise activations, softmax, dropout and identity: shape-preserving, parameter-free. */
import type { LayerSchema } from "./schema.js";

function plain(...names: string[]) {
  return Object.fromEntries(names.map((n) => [n, { kind: n }]));
}

export const activationSchema: LayerSchema = {
  family: "activation",
  summary: "element-wise activation",
  kinds: plain("relu", "sigmoid", "hardsigmoid", "tanh", "silu", "relu6", "hardswish", "gelu"),
  args: [],
};

export const leakyReluSchema: LayerSchema = {
  family: "leaky_relu",
  summary: "leaky ReLU: x for x > 0, slope·x otherwise",
  kinds: plain("leaky_relu"),
  args: [{ name: "slope", type: { t: "real" }, default: 0.01 }],
};

export const eluSchema: LayerSchema = {
  family: "elu",
  summary: "ELU: x for x > 0, alpha·(e^x − 1) otherwise",
  kinds: plain("elu"),
  args: [{ name: "alpha", type: { t: "real" }, default: 1 }],
};

export const softmaxSchema: LayerSchema = {
  family: "softmax",
  summary: "softmax along an axis (default: channels)",
  kinds: plain("softmax"),
  args: [{ name: "axis", type: { t: "axis" }, default: 0 }],
};

export const dropoutSchema: LayerSchema = {
  family: "dropout",
  summary: "dropout (identity at inference)",
  kinds: plain("dropout"),
  args: [{ name: "p", type: { t: "real", min: 0, max: 1 }, default: 0.5 }],
};

export const identitySchema: LayerSchema = {
  family: "identity",
  summary: "identity",
  kinds: plain("identity"),
  args: [],
};
