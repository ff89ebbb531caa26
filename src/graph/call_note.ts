/** The note that names a block call, for diagnostics raised inside the block's body. */
import type { RelatedInfo } from "../diagnostics/diagnostic.js";
import type { BlockFrame } from "./ir.js";

/**
 * The note a diagnostic raised inside a block body carries for one call (expansion and analysis
 * alike): the body's spans are the same for every call, the note says which call it was.
 */
export function callNote(call: BlockFrame): RelatedInfo {
  return { span: call.span, message: `in the call of block ${call.block} that made ${call.name}` };
}
