/**
 * ConvSpec highlighting for CodeMirror 6: a stream tokenizer over the language's tokens
 * (grammar/tokens.ts): comments, keywords, numbers with suffixes, strings, the arrow, and
 * layer names from the registry, told apart from block calls and tensor names.
 */
import { StreamLanguage, type StringStream } from "@codemirror/language";
import { schemas } from "../src/families/registry.js";

const KEYWORDS = new Set(["model", "block", "input", "output", "assert", "use", "as"]);
const ATOMS = new Set(["true", "false", "same", "valid", "full"]);
const QUANTITIES = new Set(["params", "trainable_params", "non_trainable_params", "macs", "flops", "memory", "peak_memory", "training_memory", "param_memory", "shape", "rf", "layers"]);
const LAYERS = new Set(schemas.flatMap((s) => Object.keys(s.kinds)));

interface State {
  /** The previous word was `block` or `model`: the next one is a definition's name. */
  afterDef: boolean;
}

function token(stream: StringStream, state: State): string | null {
  if (stream.eatSpace()) return null;
  if (stream.match(/^#.*/)) return "comment";
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
  if (stream.match(/^\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?(?:KiB|MiB|GiB|TiB|K|M|G|T)?/)) return "number";
  if (stream.match("->")) return "operator";
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    const def = state.afterDef;
    state.afterDef = w === "block" || w === "model";
    if (def) return "definition";
    if (KEYWORDS.has(w)) return "keyword";
    if (ATOMS.has(w)) return "atom";
    if (LAYERS.has(w)) return "typeName";
    if (QUANTITIES.has(w) && stream.string.slice(0, stream.start).trimStart().startsWith("assert")) return "propertyName";
    if (stream.match(/^\s*=(?!=)/, false)) return "attributeName";
    return "variableName";
  }
  stream.next();
  return /[=<>!+\-*/%]/.test(stream.current()) ? "operator" : "punctuation";
}

/** The ConvSpec language for CodeMirror. */
export const convspecLanguage = StreamLanguage.define<State>({
  name: "convspec",
  startState: () => ({ afterDef: false }),
  token,
  languageData: { commentTokens: { line: "#" } },
});
