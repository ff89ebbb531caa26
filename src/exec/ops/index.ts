/** Every layer family's execution, looked up by the family name the graph IR stores. */
import { pointwiseOps } from "./pointwise.js";
import { spatialOps } from "./spatial.js";
import { tensorOps } from "./tensor.js";
import type { ExecOp } from "./types.js";

const ops: Readonly<Record<string, ExecOp>> = { ...spatialOps, ...pointwiseOps, ...tensorOps };

/** The execution of a layer family, or undefined when the backend has none. */
export function execOp(family: string): ExecOp | undefined {
  return Object.prototype.hasOwnProperty.call(ops, family) ? ops[family] : undefined;
}

export type { ExecOp, OpContext, OpGrads, ParamSpec, InitKind } from "./types.js";
