/**
 * ONNX for learnable tensors (`param`, `buffer`): an initializer of shape [1, ...dims], so
 * that Add and Mul broadcast it over the batch as the runtime does.
 */
import { param, type Emitter } from "./emit.js";

const tensor: Emitter = (c) => {
  const v = param(c, "value");
  if (!v) return { refuse: "it has no value tensor" };
  return c.b.floats(c.node.path, v.data, [1, ...v.shape]);
};

export const tensorEmitters: Readonly<Record<string, Emitter>> = { tensor };
