/**
 * The steps of a chain after one that failed: nothing can be built on a tensor that does not
 * exist, but each later step's own mistakes (an unknown layer, a misspelt argument, an
 * unknown operand) are still reported, so one run shows every error of the chain.
 */
import type * as A from "../ast/nodes.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { messages } from "../diagnostics/messages.js";
import { lookupLayer, layerNames } from "../families/registry.js";
import { didYouMean } from "../util/suggest.js";
import { bindArguments, resolveLayerArgs } from "./args.js";
import { evaluate, type Env } from "./values.js";
import { pytorchHint } from "../ast/pytorch.js";
import { blockArgSpecs, blockInputDecls } from "./decls.js";

/** Reports the mistakes of one step without building it. */
export function checkStep(
  step: A.Step, env: Env, blocks: ReadonlyMap<string, { readonly decl: A.BlockDecl }>,
  tensors: ReadonlyMap<string, { used: boolean }>, failed: ReadonlySet<string>, diags: Diagnostic[], sourceText: (file: string) => string | undefined,
): void {
  if (step.repeat) evaluate(step.repeat, env, diags);
  const call = step.call;
  const layer = lookupLayer(call.name);
  if (layer) {
    // Merge operands and tensor arguments (`like=u`) name tensors: a bound one is used, a
    // failed one says nothing more, an unknown one is CS2009.
    const isTensorArg = (a: A.Arg) => a.name === undefined ? layer.schema.merge === true : layer.schema.args.find((s) => s.name === a.name)?.type.t === "tensor";
    for (const a of call.args) {
      if (!isTensorArg(a) || a.value.kind !== "name" || a.value.name === "") continue;
      const name = a.value.name;
      const t = tensors.get(name);
      if (t) t.used = true;
      else if (!failed.has(name)) diags.push(diag(messages.unknownTensor, a.value.span, { name }, { hint: didYouMean(name, tensors.keys()) }));
    }
    resolveLayerArgs(layer.schema, call.name, call.args.filter((a) => !isTensorArg(a)), call.span, env, diags);
    return;
  }
  const block = blocks.get(call.name);
  if (block) {
    const bound = bindArguments(block.decl.name, blockArgSpecs(block.decl), call.args, call.span, diags, "block");
    const inputs = new Set(blockInputDecls(block.decl).slice(1).map((i) => i.name));
    for (const [name, a] of bound ?? []) if (!inputs.has(name)) evaluate(a.value, env, diags);
    return;
  }
  diags.push(unknownCallee(call, blocks.keys(), sourceText));
}

/** CS2001 for a call of neither a layer nor a block; PyTorch's class names get the ConvSpec form. */
export function unknownCallee(call: A.Call, blocks: Iterable<string>, sourceText: (file: string) => string | undefined): Diagnostic {
  const written = sourceText(call.span.file)?.slice(call.span.start, call.span.end);
  const args = call.hasParens ? /\(([\s\S]*)\)$/.exec(written ?? "")?.[1] : undefined;
  const hint = pytorchHint(call.name, args) ?? didYouMean(call.name, [...layerNames(), ...blocks]);
  return diag(messages.unknownCallee, call.nameSpan, { name: call.name }, { hint });
}
